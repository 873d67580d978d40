#!/usr/bin/env node
'use strict';
// Kept in plain JavaScript and free of imports so that `berth help` starts at once.
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('berth: not built yet. Run scripts/bootstrap (or npm run build) in ' + path.dirname(__dirname));
  process.exit(1);
}

require(entry)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === 'number') process.exit(code);
    },
    (error) => {
      console.error('berth: ' + (error && error.stack ? error.stack : error));
      process.exit(1);
    },
  );
