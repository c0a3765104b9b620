// A multi-node Apache Kafka cluster in KRaft mode on loopback (three by default, every node both
// broker and controller), for fault-injection tests: kill a node, keep producing, restart it.
// Same jars and JVM launch as the single broker in kafka-broker.ts.
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { freePort, waitFor } from './free-port.ts';
import {
  describeKafka,
  ensureKafkaJars,
  formatKafkaStorage,
  kafkaPropertiesText,
  kraftListeners,
  newKafkaClusterId,
  spawnKafka,
  type KafkaProperties,
} from './kafka-broker.ts';

export interface KafkaClusterOptions {
  dataDir: string;
  /** Every node is a controller too, so an odd count keeps a quorum through the loss of one. */
  nodes?: number;
  /** -Xmx of each JVM. */
  heap?: string;
  /** Added to every node's server.properties, overriding the defaults below. */
  extraProperties?: KafkaProperties;
}

export interface KafkaNode {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  /** The pid of the node's current JVM (of the last one while it is down). */
  readonly pid: number;
  running(): boolean;
  /** Signals the JVM (SIGKILL unless told) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on its ports and data; resolves once it is back in the cluster and in sync. */
  start(): Promise<void>;
}

export interface KafkaCluster {
  /** `host:port,host:port,...`, the value for KAFKA_BROKERS. */
  brokers: string;
  nodes: KafkaNode[];
  /** The node id of the active KRaft controller (-1 while there is none), from a running node's quorum state. */
  activeController(): Promise<number>;
  stop(): Promise<void>;
}

const startTimeoutMs = 90_000;

/** Defaults for fault tests: nothing acknowledged may be lost to one dead node, and a dead node is noticed fast. */
function faultTestProperties(nodes: number): KafkaProperties {
  const replicas = Math.min(3, nodes);
  const minIsr = Math.max(1, replicas - 1);
  return {
    'num.partitions': 3,
    'default.replication.factor': replicas,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replicas,
    // 50 by default: 150 replicas to create at the first group join, seconds on two cores.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 5,
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1_000,
    'auto.create.topics.enable': false,
    'unclean.leader.election.enable': false,
    // The controller fences a broker that has not heartbeaten for the session timeout (9 s by default),
    // which moves its leaderships and drops it from every ISR, unblocking the acks=all writes that
    // wait for it. Four heartbeats to a session, so one late heartbeat does not fence a live node.
    'broker.heartbeat.interval.ms': 500,
    'broker.session.timeout.ms': 2_000,
    // A dead active controller: the others stand after the fetch timeout (2 s by default); with two
    // voters left a split vote is likely, so the retry after it is shortened too (1 s by default).
    // The new controller then gives each broker a fresh session, so fencing takes these plus 2 s.
    'controller.quorum.fetch.timeout.ms': 1_000,
    'controller.quorum.election.timeout.ms': 500,
    'controller.quorum.election.backoff.max.ms': 500,
  };
}

/** Cluster JVMs still running: killed if this process exits without stopping its cluster. */
const liveJvms = new Set<ChildProcess>();
function track(child: ChildProcess): void {
  if (liveJvms.size === 0) process.once('exit', killLeftovers);
  liveJvms.add(child);
  child.once('exit', () => {
    liveJvms.delete(child);
    if (liveJvms.size === 0) process.off('exit', killLeftovers);
  });
}
function killLeftovers(): void {
  for (const child of liveJvms) child.kill('SIGKILL');
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

class ClusterNode implements KafkaNode {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly dir: string;

  constructor(
    readonly nodeId: number,
    readonly port: number,
    readonly controllerPort: number,
    clusterDir: string,
    private readonly libs: string,
    private readonly heap: string,
    /** All nodes of the cluster, this one included. */
    private readonly cluster: () => ClusterNode[],
  ) {
    this.dir = join(clusterDir, `node-${nodeId}`);
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private get config(): string {
    return join(this.dir, 'server.properties');
  }

  private get logFile(): string {
    return join(this.dir, 'kafka.log');
  }

  running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes server.properties and formats the log dir (once: a restart keeps the node's data). */
  async prepare(properties: KafkaProperties, clusterId: string): Promise<void> {
    const logDir = join(this.dir, 'logs');
    await mkdir(this.dir, { recursive: true });
    const own = { 'node.id': this.nodeId, 'log.dirs': logDir, ...kraftListeners(this.port, this.controllerPort) };
    await writeFile(this.config, kafkaPropertiesText({ ...properties, ...own }));
    await formatKafkaStorage(this.libs, this.config, logDir, clusterId);
  }

  /** The controller leader this node last recorded (-1 if none): KRaft persists it on every election. */
  async quorumLeader(): Promise<number> {
    const state: unknown = JSON.parse(await readFile(join(this.dir, 'logs', '__cluster_metadata-0', 'quorum-state'), 'utf8'));
    const leader = typeof state === 'object' && state !== null && 'leaderId' in state ? state.leaderId : undefined;
    return typeof leader === 'number' ? leader : -1;
  }

  /** Starts the JVM without waiting for it to serve. */
  launch(): void {
    if (this.running()) return;
    const child = spawnKafka({
      libs: this.libs,
      config: this.config,
      logFile: this.logFile,
      heap: this.heap,
      // C1 only: three JVMs on two cores were ready in 8-9 s instead of 12-18 s; a test broker needs no peak speed.
      jvmFlags: ['-XX:TieredStopAtLevel=1'],
    });
    // A failed spawn (no java) also emits 'error', which would otherwise crash the process.
    child.once('error', () => undefined);
    if (child.pid === undefined) throw new Error(`could not start java for Kafka node ${this.nodeId}`);
    this.child = child;
    track(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /**
   * Waits until the node answers, its metadata lists every running node (itself included: registered
   * and unfenced) and a controller, and it is back in the ISR of every partition it replicates, so
   * that the next fault starts from a whole cluster.
   */
  async joined(): Promise<void> {
    await waitFor(`Kafka node ${this.nodeId} on ${this.address} (log: ${this.logFile})`, async () => {
      if (!this.running()) throw new Error(`Kafka node ${this.nodeId} exited; see ${this.logFile}`);
      const view = await describeKafka(this.address);
      if (view === null || view.controller === null) return false;
      if (!this.cluster().every((node) => !node.running() || view.brokerIds.includes(node.nodeId))) return false;
      return (await outOfSyncReplicas(this.address, this.nodeId).catch(() => ['?'])).length === 0;
    }, startTimeoutMs);
  }

  async start(): Promise<void> {
    this.launch();
    await this.joined();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running()) return;
    this.child?.kill(signal);
    await this.exited;
  }
}

export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a Kafka cluster needs at least one node, not ${count}`);
  const libs = await ensureKafkaJars();
  const ports = await distinctFreePorts(2 * count);
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push(new ClusterNode(i + 1, ports[2 * i] ?? 0, ports[2 * i + 1] ?? 0, options.dataDir, libs, options.heap ?? '384m', () => nodes));
  }
  const properties: KafkaProperties = {
    'process.roles': 'broker,controller',
    'controller.quorum.voters': nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(','),
    ...faultTestProperties(count),
    ...options.extraProperties,
  };
  const clusterId = newKafkaClusterId();
  await Promise.all(nodes.map((node) => node.prepare(properties, clusterId)));
  // SIGKILL: the nodes of a whole cluster cannot all shut down cleanly, as the last ones wait for a
  // controller quorum that has gone (SIGTERM had not finished after 5 s); the data is a test's anyway.
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
  };
  try {
    // All at once: a controller quorum needs a majority of the voters before any node can serve.
    for (const node of nodes) node.launch();
    await Promise.all(nodes.map((node) => node.joined()));
  } catch (error) {
    await stop();
    throw error;
  }
  const activeController = async () => {
    const running = nodes.find((node) => node.running());
    return running ? running.quorumLeader() : -1;
  };
  return { brokers: nodes.map((n) => n.address).join(','), nodes, activeController, stop };
}

async function withAdmin<T>(brokers: string, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'infra-cluster', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Partition id → leader node id (-1 while it has none), per the metadata of the broker(s) at `brokers`. */
function partitionLeaders(brokers: string, topic: string): Promise<Map<number, number>> {
  return withAdmin(brokers, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(partitions.map((p) => [p.partitionId, p.leader]));
  });
}

/** `topic-partition`s that `nodeId` replicates without being in their ISR, per the metadata of `broker`. */
function outOfSyncReplicas(broker: string, nodeId: number): Promise<string[]> {
  return withAdmin(broker, async (admin) => {
    // No topics named: all of them, the internal ones included.
    const { topics } = await admin.fetchTopicMetadata();
    return topics.flatMap((t) =>
      t.partitions.filter((p) => p.replicas.includes(nodeId) && !p.isr.includes(nodeId)).map((p) => `${t.name}-${p.partitionId}`),
    );
  });
}

/** The node id leading `topic`'s `partition` (-1 while it has no leader), per the metadata of `brokers`. */
export async function leaderOf(brokers: string, topic: string, partition: number): Promise<number> {
  const leader = (await partitionLeaders(brokers, topic)).get(partition);
  if (leader === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
  return leader;
}

/**
 * Waits until each of `brokers` (the running ones) names a leader for every partition of `topic`.
 * In KRaft a new topic reaches the brokers' metadata one by one, and kafkajs's
 * createTopics({ waitForLeaders: true }) gives up on the first UNKNOWN_TOPIC_OR_PARTITION from a
 * broker that has not caught up (https://github.com/tulios/kafkajs/issues/1563): create topics with
 * waitForLeaders: false, then call this.
 */
export async function waitForTopicLeaders(brokers: string, topic: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`leaders of ${topic} on ${brokers}`, async () => {
    const views = await Promise.all(brokers.split(',').map((broker) => partitionLeaders(broker, topic).catch(() => new Map<number, number>())));
    return views.every((leaders) => leaders.size > 0 && [...leaders.values()].every((leader) => leader >= 0));
  }, timeoutMs);
}
