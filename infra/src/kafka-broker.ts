// A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM), from the
// Maven Central jars named in infra/kafka/pom.xml, for tests, benchmarks and local runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir, repoRoot } from './paths.ts';
import { freePort, waitFor } from './free-port.ts';
import { processAlive, stopProcess } from './processes.ts';

const run = promisify(execFile);
const pomPath = join(repoRoot, 'infra', 'kafka', 'pom.xml');

export async function kafkaVersion(): Promise<string> {
  const pom = await readFile(pomPath, 'utf8');
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) throw new Error('infra/kafka/pom.xml: no kafka.version');
  return match[1];
}

/** Resolves the broker's jars through Maven once; later calls find them in the cache. */
export async function ensureKafkaJars(): Promise<string> {
  const libs = join(cacheDir, `kafka-${await kafkaVersion()}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  await mkdir(libs, { recursive: true });
  await run('mvn', ['-q', '-B', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const jars = (await readdir(libs)).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith('kafka_2.13-'))) throw new Error(`maven did not fetch the kafka jars into ${libs}`);
  await writeFile(marker, jars.join('\n'));
  return libs;
}

export interface KafkaBrokerOptions {
  dataDir: string;
  port?: number;
  controllerPort?: number;
  /** Leave the JVM running after this process exits (for .ci/run and `infra/bin`). */
  detached?: boolean;
  heap?: string;
}

export interface KafkaBroker {
  /** `host:port`, the value for KAFKA_BROKERS. */
  brokers: string;
  port: number;
  controllerPort: number;
  pid: number;
  stop: () => Promise<void>;
}

export type KafkaProperties = Record<string, string | number | boolean>;

/** The text of a server.properties file, one `key=value` a line, in the order given. */
export function kafkaPropertiesText(properties: KafkaProperties): string {
  return `${Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

/** The listener settings of a KRaft broker+controller node on loopback. */
export function kraftListeners(port: number, controllerPort: number): KafkaProperties {
  return {
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  };
}

function serverProperties(dataDir: string, port: number, controllerPort: number): KafkaProperties {
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    ...kraftListeners(port, controllerPort),
    'log.dirs': join(dataDir, 'logs'),
    'num.partitions': 3,
    'auto.create.topics.enable': false,
    // One node: the internal topics cannot have more replicas, or consumers wait forever for a coordinator.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'offsets.topic.num.partitions': 5,
  };
}

export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as `kafka-storage random-uuid`
 * makes. Like Kafka's Uuid.randomUuid it never starts with '-', which StorageTool would take for an option.
 */
export function newKafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the node's log dirs for `clusterId` unless that was done already (restarts keep their data). */
export async function formatKafkaStorage(libs: string, config: string, logDir: string, clusterId: string): Promise<void> {
  if (existsSync(join(logDir, 'meta.properties'))) return;
  await run(javaBinary(), ['-cp', join(libs, '*'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config]);
}

export interface KafkaJvmOptions {
  libs: string;
  config: string;
  /** stdout and stderr of the JVM are appended here. */
  logFile: string;
  heap: string;
  /** JVM flags besides -Xmx, G1 and the log4j configuration. */
  jvmFlags?: string[];
  detached?: boolean;
}

export function spawnKafka(options: KafkaJvmOptions): ChildProcess {
  const log = openSync(options.logFile, 'a');
  try {
    return spawn(
      javaBinary(),
      [
        `-Xmx${options.heap}`,
        '-XX:+UseG1GC',
        ...(options.jvmFlags ?? []),
        `-Dlog4j.configuration=file:${join(repoRoot, 'infra', 'kafka', 'log4j.properties')}`,
        '-cp',
        join(options.libs, '*'),
        'kafka.Kafka',
        options.config,
      ],
      { detached: options.detached ?? false, stdio: ['ignore', log, log] },
    );
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

export interface KafkaClusterView {
  /** Node ids of the brokers the metadata lists (in KRaft: the registered, unfenced ones). */
  brokerIds: number[];
  controller: number | null;
}

/** What the broker(s) at `brokers` (`host:port,...`) say about the cluster, or null if none answers. */
export async function describeKafka(brokers: string): Promise<KafkaClusterView | null> {
  const admin = new Kafka({ clientId: 'infra-probe', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { brokerIds: cluster.brokers.map((b) => b.nodeId), controller: cluster.controller };
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function brokerAnswers(brokers: string): Promise<boolean> {
  const view = await describeKafka(brokers);
  return view !== null && view.brokerIds.length > 0 && view.controller !== null;
}

export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const libs = await ensureKafkaJars();
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  const config = join(options.dataDir, 'server.properties');
  await writeFile(config, kafkaPropertiesText(serverProperties(options.dataDir, port, controllerPort)));
  await formatKafkaStorage(libs, config, join(options.dataDir, 'logs'), newKafkaClusterId());
  const logFile = join(options.dataDir, 'broker.log');
  const child = spawnKafka({ libs, config, logFile, heap: options.heap ?? '768m', detached: options.detached });
  if (options.detached) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for the Kafka broker');
  const brokers = `127.0.0.1:${port}`;
  try {
    await waitFor(`Kafka broker on ${brokers} (log: ${logFile})`, async () => {
      if (!processAlive(pid)) throw new Error(`the Kafka broker exited; see ${logFile}`);
      return brokerAnswers(brokers);
    }, 90_000);
  } catch (error) {
    await stopProcess(pid);
    throw error;
  }
  return { brokers, port, controllerPort, pid, stop: () => stopProcess(pid) };
}
