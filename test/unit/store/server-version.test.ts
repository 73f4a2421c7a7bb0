import { describe, expect, it } from 'vitest';
import { unsupportedServer } from '../../../src/store/mysql/server-version.js';

describe('the MySQL server hopgate accepts', () => {
  it('takes MariaDB 10.5 and newer, as the distributions report it', () => {
    for (const v of ['10.5.0-MariaDB', '10.6.18-MariaDB-0ubuntu0.22.04.1', '10.11.19-MariaDB-0+deb12u1', '11.4.2-MariaDB-ubu2404', '12.0.1-MariaDB', '5.5.5-10.11.6-MariaDB-log']) {
      expect(unsupportedServer(v), v).toBeNull();
    }
  });

  it('refuses older MariaDB, naming the version and what is missing', () => {
    expect(unsupportedServer('10.4.32-MariaDB')).toBe(
      'hopgate needs MariaDB 10.5 or newer (it uses INSERT … RETURNING); the server is MariaDB 10.4.32',
    );
    expect(unsupportedServer('5.5.5-10.3.39-MariaDB')).toMatch(/the server is MariaDB 10\.3\.39$/);
  });

  it('refuses MySQL and anything it cannot read', () => {
    for (const v of ['8.0.36', '8.4.0-commercial', '5.7.44-log', '', 'garbage']) {
      expect(unsupportedServer(v), v).toMatch(/^hopgate needs MariaDB 10\.5 or newer .* which is not MariaDB$/);
    }
  });
});
