import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import { deleteBlob, getBlob } from './blob-handlers';
import { deleteManifest, getManifest, putManifest } from './manifest-handlers';
import { checkRepositoryName } from './names';
import { RegistryAuthenticator } from './registry-auth';
import { RegistryDeps, RegistryHandler } from './registry-context';
import { RegistryError, RegistryErrorCode } from './registry.errors';
import { sendError, sendJson } from './responses';
import { catalog, listTags } from './tag-handlers';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './upload-handlers';

interface Route {
  /** Matched against the path below /v2; group 1 is the repository name, group 2 the reference. */
  pattern: RegExp;
  methods: Partial<Record<string, RegistryHandler>>;
  named: boolean;
}

const base: RegistryHandler = async ({ response }) => sendJson(response, 200, {});

/** Names contain slashes, so routes are matched most specific first, uploads before blobs. */
const ROUTES: Route[] = [
  { pattern: /^\/?$/, methods: { GET: base, HEAD: base }, named: false },
  { pattern: /^\/_catalog$/, methods: { GET: catalog }, named: false },
  { pattern: /^\/(.+)\/tags\/list$/, methods: { GET: listTags }, named: true },
  { pattern: /^\/(.+)\/manifests\/([^/]+)$/, methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest }, named: true },
  { pattern: /^\/(.+)\/blobs\/uploads\/?$/, methods: { POST: startUpload }, named: true },
  {
    pattern: /^\/(.+)\/blobs\/uploads\/([^/]+)$/,
    methods: { GET: uploadStatus, PATCH: patchUpload, PUT: finishUpload, DELETE: cancelUpload },
    named: true,
  },
  { pattern: /^\/(.+)\/blobs\/([^/]+)$/, methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob }, named: true },
];

/**
 * The OCI distribution API as a plain Express router, mounted at /v2 outside Nest's pipeline:
 * no body parser, interceptor or global guard touches these requests, so bodies stream, the
 * registry authenticates by itself, and every answer (errors included) is in the spec's format.
 */
export function createRegistryRouter(deps: RegistryDeps, auth: RegistryAuthenticator): Router {
  const router = Router();
  router.use((request, response) => {
    void serve(request, response, deps, auth);
  });
  return router;
}

async function serve(request: IncomingMessage, response: ServerResponse, deps: RegistryDeps, auth: RegistryAuthenticator): Promise<void> {
  response.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
  try {
    await auth.authenticate(request);
    // Below the /v2 mount, request.url is the rest of the path and the query.
    const url = new URL(request.url ?? '/', 'http://registry.invalid');
    const { route, params } = matchRoute(url.pathname);
    const handler = route.methods[request.method ?? 'GET'];
    if (handler === undefined) throw methodNotAllowed(route, request.method);
    const name = route.named ? checkRepositoryName(params[0] ?? '') : '';
    await handler({ request, response, deps, name, reference: params[1] ?? '', query: url.searchParams });
  } catch (error) {
    try {
      sendError(request, response, error);
    } catch {
      // Never leave a client waiting for an answer that will not come.
      response.destroy();
    }
  }
}

function matchRoute(path: string): { route: Route; params: string[] } {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1) };
  }
  throw new RegistryError(RegistryErrorCode.NameUnknown, `no registry endpoint at /v2${path.slice(0, 200)}`, {
    detail: { path: `/v2${path.slice(0, 200)}` },
  });
}

function methodNotAllowed(route: Route, method: string | undefined): RegistryError {
  const allowed = Object.keys(route.methods).join(', ');
  return new RegistryError(RegistryErrorCode.Unsupported, `${method} is not supported here; use ${allowed}`, { headers: { Allow: allowed } });
}
