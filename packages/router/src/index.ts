// @plinth/router: route tables, path and query parameters, URL generation.

export type { RouterErrorCode, RouterErrorOptions } from './errors';
// Errors
export { isRouterError, RouterError } from './errors';
export type { GroupOptions } from './group';
// Route tables
export { group } from './group';
// Query strings
export { parseQuery } from './query';
export { queryParams } from './query-params';
export type { Router } from './router';
// The router interceptor
export { router } from './router';
export type { RouteTable } from './table';
export { routeTable } from './table';
export type {
  HttpMethod,
  MatchedRoute,
  MatchResult,
  MethodSpec,
  ParamConstraint,
  PathParams,
  QueryParams,
  QueryValue,
  RouteGroup,
  RouteHandler,
  RouteInfo,
  RouteOptions,
  RouterContext,
  RouteSpec,
  RouteTableSpec,
  RouteTarget,
  UrlForOptions,
} from './types';
