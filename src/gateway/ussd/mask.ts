/** Leaderboards show other subscribers' numbers masked: `+254712345678` → `+2547****678`. */
export { maskMsisdn } from '../../core/msisdn.js';
