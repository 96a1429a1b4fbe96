import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('fills defaults and resolves the blob directory against the working directory', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.API_PORT).toBe(4000);
    expect(config.UPLOAD_MAX_PIXELS).toBe(120_000_000);
    expect(config.blobDir).toBe('/srv/app/.data/blobs');
    expect(config.COOKIE_SECURE).toBe(false);
  });

  it('coerces numbers and booleans from strings', () => {
    const config = loadConfig({ API_PORT: '8080', COOKIE_SECURE: 'true', SESSION_TTL_SECONDS: '60' });
    expect(config).toMatchObject({ API_PORT: 8080, COOKIE_SECURE: true, SESSION_TTL_SECONDS: 60 });
  });

  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'not a url', DATABASE_SCHEMA: 'Bad-Schema' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('API_PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('DATABASE_SCHEMA');
  });
});
