/** Redis pub/sub channel on which the issuer tells routers to reload certificates. */
export function certificatesChannel(redisPrefix: string): string {
  return `${redisPrefix}:certificates:issued`;
}
