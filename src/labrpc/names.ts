/** Names of client ends and servers: any string or number (the testers use both). */
export type EndName = string | number;

/** See {@link EndName}. */
export type ServerName = string | number;
