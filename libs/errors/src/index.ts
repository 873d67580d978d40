export { DomainError, RequestError, RequestErrorCode, DependencyError, DependencyErrorCode } from './domain-error';
