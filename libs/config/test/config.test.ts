import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnv, ConfigError, parseConfig } from '../src/index.ts';

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
