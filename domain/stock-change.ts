/**
 * Stock added after approval is a change of the campaign's configuration: more prizes are more
 * prize value, so it goes through preflight (the 景品表示法 check) and approval like any change.
 */
export interface StockAddition {
  prizeId: string;
  amount: number;
}

/** The configuration with each named prize's stock raised; null names a prize it does not have. */
export function withAddedStock<T extends { prizes: { id: string; stock: number }[] }>(
  config: T,
  additions: readonly StockAddition[],
): { config: T } | { unknownPrize: string } {
  const unknown = additions.find((a) => !config.prizes.some((p) => p.id === a.prizeId));
  if (unknown) return { unknownPrize: unknown.prizeId };
  return {
    config: {
      ...config,
      prizes: config.prizes.map((prize) => ({
        ...prize,
        stock:
          prize.stock +
          additions.filter((a) => a.prizeId === prize.id).reduce((sum, a) => sum + a.amount, 0),
      })),
    },
  };
}
