export { RouterModule } from './router.module';
export { RouteTable, Route, Upstream } from './route-table';
export { RouterServer, routeKey } from './router.server';
export { InFlightRequests } from './in-flight';
export { downstreamResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
export { RouteSync } from './route-sync';
