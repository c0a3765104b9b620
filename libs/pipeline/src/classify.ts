// Is a failure worth waiting out? Transient failures (a connection lost, a timeout, a database
// restarting, a serialisation conflict) pass by themselves: the stage retries them for as long as
// it takes. Deterministic ones (a constraint, a bug, a message that cannot be decoded) fail the
// same way every time: after a few attempts the message is dead-lettered and the stage moves on.

export type FailureKind = 'transient' | 'deterministic';

/** SQLSTATE classes and codes that say "try again": connection, resources, shutdown, conflicts. */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '58'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '57P05']);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'EAI_AGAIN', 'ENOTFOUND', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
/** node-postgres and pg-pool say these in words, without a code. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i, /timeout exceeded when trying to connect/i, /query read timeout/i, /connection.*(lost|closed|ended)/i,
  /client has encountered a connection error/i, /cannot use a pool after calling end/i, /the database system is (starting up|shutting down)/i,
];
const TRANSIENT_ERROR_NAMES = new Set([
  'TimeoutError', 'AbortError', 'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError', 'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound', 'KafkaJSLockTimeout', 'KafkaJSStaleTopicMetadataAssignment', 'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded', 'RequestTimeout', 'RequestTimeoutException', 'ServiceUnavailable',
  'SlowDown', 'InternalError', 'ThrottlingException',
]);

function field(error: object, name: string): unknown {
  return name in error ? (error as Record<string, unknown>)[name] : undefined;
}

export function classifyFailure(error: unknown, depth = 0): FailureKind {
  if (typeof error !== 'object' || error === null || depth > 5) return 'deterministic';
  const code = field(error, 'code');
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2)) ? 'transient' : 'deterministic';
    }
    if (TRANSIENT_NODE_CODES.has(code)) return 'transient';
  }
  const name = field(error, 'name');
  if (typeof name === 'string' && TRANSIENT_ERROR_NAMES.has(name)) return 'transient';
  // kafkajs marks what a retry can help; the AWS SDK likewise, and by HTTP status.
  if (field(error, 'retriable') === true || field(error, '$retryable') !== undefined) return 'transient';
  const metadata = field(error, '$metadata');
  const status = typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  if (typeof status === 'number' && (status >= 500 || status === 429 || status === 408)) return 'transient';
  const message = field(error, 'message');
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return 'transient';
  // A wrapper (kafkajs's retries exhausted, an AggregateError, our own) is what it wraps.
  for (const inner of [field(error, 'cause'), field(error, 'originalError')]) {
    if (inner !== undefined && classifyFailure(inner, depth + 1) === 'transient') return 'transient';
  }
  const errors = field(error, 'errors');
  if (Array.isArray(errors) && errors.some((e) => classifyFailure(e, depth + 1) === 'transient')) return 'transient';
  return 'deterministic';
}

/**
 * A statement that ran out of time. Transient as a rule (a database under load), but one that times
 * out again and again while the database answers everything else is slow because of what it is
 * given: the stage runner then treats it as deterministic.
 */
export function isTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = field(error, 'code');
  const message = field(error, 'message');
  return code === '57014' || (typeof message === 'string' && /query read timeout/i.test(message));
}
