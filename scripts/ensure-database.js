#!/usr/bin/env node
'use strict';
// Makes DATABASE_URL work: creates its database when missing and, on a freshly installed
// local Postgres (peer auth on the socket, password auth on 127.0.0.1), its role and access.
// Quiet when nothing needs doing. Called by scripts/bootstrap with the URL as argument.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { Client } = require('pg');

const PG_INVALID_DATABASE = '3D000';
const PG_INVALID_AUTH = ['28P01', '28000'];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const say = (line) => console.error(`bootstrap: ${line}`);
const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text) => `'${text.replace(/'/g, "''")}'`;

async function tryConnect(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (error) {
    await client.end().catch(() => {});
    return error;
  }
}

/** Runs SQL as the postgres superuser over the local socket (peer auth), as root only. */
function psqlAsPostgres(sql) {
  return execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-qtAX', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function grantLocalAccess(url) {
  const user = decodeURIComponent(url.username || 'postgres');
  const password = decodeURIComponent(url.password || '');
  const exists = psqlAsPostgres(`SELECT 1 FROM pg_roles WHERE rolname = ${quoteLiteral(user)}`) === '1';
  const secret = password ? ` PASSWORD ${quoteLiteral(password)}` : '';
  if (!exists) psqlAsPostgres(`CREATE ROLE ${quoteIdent(user)} LOGIN CREATEDB${secret}`);
  else if (password) psqlAsPostgres(`ALTER ROLE ${quoteIdent(user)} WITH LOGIN${secret}`);
  if (password) return say(`set the password of Postgres role "${user}" from DATABASE_URL`);
  // No password in the URL: trust that role on loopback only, as a development install expects.
  const hbaFile = psqlAsPostgres('SHOW hba_file');
  const lines = [`host all ${user} 127.0.0.1/32 trust`, `host all ${user} ::1/128 trust`];
  const current = fs.readFileSync(hbaFile, 'utf8');
  if (!current.includes(lines[0])) {
    fs.writeFileSync(hbaFile, `# added by Berth's scripts/bootstrap\n${lines.join('\n')}\n${current}`);
    psqlAsPostgres('SELECT pg_reload_conf()');
  }
  say(`allowed Postgres role "${user}" on loopback without a password (${hbaFile})`);
}

async function createDatabase(url) {
  const name = decodeURIComponent(url.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    say(`created database "${name}"`);
  } catch (error) {
    if (error.code !== '42P04') throw error; // created meanwhile by another process
  } finally {
    await client.end();
  }
}

async function main() {
  const url = new URL(process.argv[2]);
  let error = await tryConnect(url.toString());
  if (error && PG_INVALID_AUTH.includes(error.code) && LOCAL_HOSTS.has(url.hostname) && process.getuid() === 0) {
    grantLocalAccess(url);
    error = await tryConnect(url.toString());
  }
  if (error && error.code === PG_INVALID_DATABASE) {
    await createDatabase(url);
    error = await tryConnect(url.toString());
  }
  if (error) {
    const where = `${url.hostname}:${url.port || 5432}`;
    console.error(`bootstrap: cannot use DATABASE_URL (${where}): ${error.message}. Check the URL's user, password and database, or that Postgres runs there.`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(`bootstrap: ${error.message}`);
  process.exit(1);
});
