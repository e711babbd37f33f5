// SPDX-License-Identifier: GPL-2.0-or-later
// Validates HAR files with the har-validator npm package (HAR 1.2 JSON schemas).
//   node harvalidate.js FILE.har...     prints "valid" or the schema errors; exit 1 on any invalid file
// har-validator is installed by `./x setup` into build/npm ($HTTPTAP_NPM_DIR overrides), never at test time.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.HTTPTAP_NPM_DIR || path.join(__dirname, '..', '..', 'build', 'npm');
let validator;
try {
    validator = require(path.join(dir, 'node_modules', 'har-validator'));
} catch (e) {
    console.error(`har-validator is not installed in ${dir}: run ./x setup (${e.message})`);
    process.exit(2);
}

(async () => {
    let failed = false;
    for (const file of process.argv.slice(2)) {
        try {
            await validator.har(JSON.parse(fs.readFileSync(file, 'utf8')));
            console.log(`${file}: valid`);
        } catch (e) {
            failed = true;
            console.log(`${file}: INVALID ${JSON.stringify(e.errors || e.message, null, 1)}`);
        }
    }
    process.exit(failed ? 1 : 0);
})();
