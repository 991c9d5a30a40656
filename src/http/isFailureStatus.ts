/**
 * Whether a response with this HTTP status is a failure of the service: 5xx and 429 (Too Many Requests) are;
 * other statuses are the caller's problem (4xx) or success.
 */
export function isFailureStatus(status: number): boolean {
  return status >= 500 || status === 429;
}
