// A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM), from the
// Maven Central jars named in infra/kafka/pom.xml, for tests, benchmarks and local runs.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
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

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    'num.partitions=3',
    'auto.create.topics.enable=false',
    // One node: the internal topics cannot have more replicas, or consumers wait forever for a coordinator.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.num.partitions=5',
    '',
  ].join('\n');
}

async function brokerAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({ clientId: 'infra-probe', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const libs = await ensureKafkaJars();
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  const config = join(options.dataDir, 'server.properties');
  await writeFile(config, serverProperties(options.dataDir, port, controllerPort));
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const classpath = join(libs, '*');
  if (!existsSync(join(options.dataDir, 'logs', 'meta.properties'))) {
    await run(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', randomBytes(16).toString('base64url'), '-c', config]);
  }
  const log = openSync(join(options.dataDir, 'broker.log'), 'a');
  const child = spawn(
    java,
    [
      `-Xmx${options.heap ?? '768m'}`,
      '-XX:+UseG1GC',
      `-Dlog4j.configuration=file:${join(repoRoot, 'infra', 'kafka', 'log4j.properties')}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      config,
    ],
    { detached: options.detached ?? false, stdio: ['ignore', log, log] },
  );
  if (options.detached) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java for the Kafka broker');
  const brokers = `127.0.0.1:${port}`;
  try {
    await waitFor(`Kafka broker on ${brokers} (log: ${join(options.dataDir, 'broker.log')})`, async () => {
      if (!processAlive(pid)) throw new Error(`the Kafka broker exited; see ${join(options.dataDir, 'broker.log')}`);
      return brokerAnswers(brokers);
    }, 90_000);
  } catch (error) {
    await stopProcess(pid);
    throw error;
  }
  return { brokers, port, controllerPort, pid, stop: () => stopProcess(pid) };
}
