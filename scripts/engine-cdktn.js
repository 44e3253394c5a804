/**
 * Preload (`node -r ./scripts/engine-cdktn.js ...`): resolves every `require('cdktf')` and
 * `require('cdktf/...')` to CDK Terrain (`cdktn`, the community fork of CDK for Terraform), so
 * the same constructs and the same generated provider bindings (which import `cdktf`) run on
 * the other engine. Used by scripts/engine-compare.sh; a consumer app does the same with an
 * npm alias (`"cdktf": "npm:cdktn@0.24.0"`).
 */
'use strict';
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveToCdktn(request, parent, ...rest) {
  if (request === 'cdktf' || request.startsWith('cdktf/')) {
    return resolve.call(this, `cdktn${request.slice('cdktf'.length)}`, parent, ...rest);
  }
  return resolve.call(this, request, parent, ...rest);
};
