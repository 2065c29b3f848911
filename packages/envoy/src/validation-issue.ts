/** One reason a generated Envoy resource would be rejected. */
export interface ValidationIssue {
  /** JSON pointer into the resource's proto3-JSON (proto field names), '' for the resource itself. */
  path: string;
  message: string;
}
