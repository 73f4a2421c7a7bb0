// The requests of each load, as functions of a sequence number n (n never repeats within a
// run: distinct subscribers, idempotency keys and USSD sessions). One description serves
// the closed-loop generator (autocannon) and the open-loop one (open-loop.js).
import { VENUES } from './systems.js';

const tag = Date.now().toString(36);

export function msisdn(n) {
  return `+2547${String(10_000_000 + (n % 89_999_999)).slice(-8)}`;
}

/** POST /v1/checkins with an Idempotency-Key (hopgate and the conventional stack alike). */
export function keyedCheckIn(apiKey) {
  return (n) => ({
    path: '/v1/checkins',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': `b-${tag}-${n}` },
    body: `{"msisdn":"${msisdn(n)}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`,
  });
}

/** The same JSON body to a ceiling (echo or durable write): same bytes in, no work. */
export function ceilingPost() {
  return (n) => ({
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: `{"msisdn":"${msisdn(n)}","venueId":"${100_000 + (n % VENUES)}","channel":"app"}`,
  });
}

/** A USSD dial-through check-in, `*384*<venue>#`, as Africa's Talking sends it. */
export function ussdDialThrough() {
  return (n) => ({
    path: '/ussd/africastalking',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `sessionId=ATUid_${tag}_${n}&phoneNumber=${encodeURIComponent(msisdn(n))}&serviceCode=*384*${100_000 + (n % VENUES)}%23&text=&networkCode=63902`,
  });
}

/** The read path: the global board's page around a subscriber known to have checked in. */
export function boardAround(apiKey, known) {
  return (n) => ({
    method: 'GET',
    path: `/v1/leaderboards/global?around=${encodeURIComponent(msisdn(known[n % known.length]))}&limit=10`,
    headers: { 'x-api-key': apiKey },
  });
}

/** An autocannon `setupRequest` drawing from a shared sequence. */
export function autocannonRequests(make, seq) {
  return (req) => {
    const r = make(seq.next++);
    return { ...req, method: r.method ?? 'POST', path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : { body: undefined }) };
  };
}
