// Creates (and drops) the conventional stack's database and Redis keys.
import mysql from 'mysql2/promise';
import { SCHEMA, seedVenues } from './schema.js';

export async function createConventionalDatabase(database, venues) {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    await c.query(`CREATE DATABASE \`${database}\``);
    await c.query(`USE \`${database}\``);
    for (const ddl of SCHEMA) await c.query(ddl);
    const rows = seedVenues(venues);
    for (let i = 0; i < rows.length; i += 2000) await c.query('INSERT INTO venues (id, name, city, open) VALUES ?', [rows.slice(i, i + 2000)]);
  } finally {
    await c.end();
  }
}
