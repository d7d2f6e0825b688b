import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './sql';

describe('parseDatabaseUrl', () => {
  it('turns a Cloud SQL ?host=/cloudsql/... into a Unix socket path and drops the parameter', () => {
    const parsed = parseDatabaseUrl('postgres://app:pw@localhost/aibootcamp?host=/cloudsql/proj:europe-west1:db');
    expect(parsed.socketPath).toBe('/cloudsql/proj:europe-west1:db/.s.PGSQL.5432');
    expect(parsed.url).toBe('postgres://app:pw@localhost/aibootcamp');
  });

  it('leaves a TCP URL alone', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable';
    expect(parseDatabaseUrl(url)).toEqual({ url, socketPath: undefined });
  });
});
