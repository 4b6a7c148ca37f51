/** An error shaped as the AWS SDK throws a service's refusal: its name and HTTP status. */
export function awsError(name: string, httpStatusCode: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}
