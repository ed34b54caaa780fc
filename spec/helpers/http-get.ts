import { request } from 'node:http';

/** The body of a plain HTTP GET of `url` (a pod's answer, directly or through a port-forward). */
export const httpGetText = (url: string): Promise<string> => new Promise((resolve, reject) => {
  request(url, (res) => {
    let b = '';
    res.on('data', (d) => (b += d));
    res.on('end', () => resolve(b));
  }).on('error', reject).end();
});
