import type { WireRequest } from '../../../../../src/gateway/ussd/types.js';

export function post(contentType: string, body: string, query = ''): WireRequest {
  return { method: 'POST', query, contentType, body: Buffer.from(body) };
}

export function get(query: string): WireRequest {
  return { method: 'GET', query, contentType: '', body: Buffer.alloc(0) };
}

export function form(fields: Record<string, string>): WireRequest {
  return post('application/x-www-form-urlencoded', new URLSearchParams(fields).toString());
}

export const CTX = { serviceCode: '*384#' };
