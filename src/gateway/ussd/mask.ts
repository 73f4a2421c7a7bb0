/** Leaderboards show other subscribers' numbers masked: `+254712345678` → `+2547****678`. */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 6) return '***' + msisdn.slice(-2);
  const head = msisdn.slice(0, Math.min(5, msisdn.length - 6));
  return head + '*'.repeat(msisdn.length - head.length - 3) + msisdn.slice(-3);
}
