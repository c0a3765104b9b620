import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnv, ConfigError, kafkaSecurity, parseConfig } from '../src/index.ts';

const schema = z.object(commonEnv);

describe('configuration from the environment', () => {
  it('parses a good environment with defaults', () => {
    expect(parseConfig(schema, { KAFKA_BROKERS: 'a:9092,b:9092', DATABASE_URL: 'postgres://u@h/db' })).toMatchObject({
      KAFKA_BROKERS: ['a:9092', 'b:9092'], VAWG_TOPIC_PREFIX: 'vawg', LOG_LEVEL: 'info', KAFKA_SESSION_TIMEOUT_MS: 10_000,
    });
  });

  it('refuses a bad one in a single line naming each variable', () => {
    const attempt = () => parseConfig(schema, { KAFKA_BROKERS: 'nohost', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/^configuration: /);
      for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    }
  });
});

describe('Kafka security from the environment', () => {
  const parse = (env: Record<string, string>) => parseConfig(z.object(commonEnv), { DATABASE_URL: 'postgres://x@h/db', ...env });
  const files: Record<string, string> = { '/run/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', '/run/kafka-password': 's3cret\n' };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`no file ${path}`);
    return text;
  };

  it('is nothing by default, TLS with a CA when asked, and SCRAM with a password from a file', () => {
    expect(kafkaSecurity(parse({}), read)).toEqual({});
    expect(kafkaSecurity(parse({ KAFKA_SSL: 'true' }), read)).toEqual({ ssl: true });
    expect(kafkaSecurity(parse({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/run/ca.pem', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ingest', KAFKA_SASL_PASSWORD_FILE: '/run/kafka-password' }), read))
      .toEqual({ ssl: { ca: [files['/run/ca.pem']] }, sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: 's3cret' } });
  });

  it('refuses an incomplete or unsafe set, saying what to do', () => {
    expect(() => kafkaSecurity(parse({ KAFKA_SASL_MECHANISM: 'scram-sha-256' }), read)).toThrow(/needs KAFKA_SASL_USERNAME/);
    expect(() => kafkaSecurity(parse({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }), read)).toThrow(/in clear/);
    expect(() => kafkaSecurity(parse({ KAFKA_SASL_USERNAME: 'a' }), read)).toThrow(/without KAFKA_SASL_MECHANISM/);
    expect(() => kafkaSecurity(parse({ KAFKA_SSL_CA_FILE: '/run/ca.pem' }), read)).toThrow(/KAFKA_SSL is not true/);
    expect(() => parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(ConfigError);
  });
});
