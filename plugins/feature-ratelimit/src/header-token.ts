/** RFC 9110 token characters: what a header field name is made of. */
export const headerToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
