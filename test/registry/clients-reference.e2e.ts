import { describe } from 'node:test';
import { clientContext, defineClientTests } from './support/client-suite';
import { startReferenceRegistry } from './support/registries';

/**
 * The client tests against Debian's docker-registry, the reference implementation: what passes
 * here and against Berth is what real clients need, not what Berth happens to do.
 */
describe('docker and skopeo against the reference registry (docker-registry)', () => {
  defineClientTests(clientContext(startReferenceRegistry));
});
