/** A tiny element builder: `h('div.row', {title: 'x'}, child, 'text')`. */
export function h<T extends HTMLElement = HTMLElement>(tag: string, attrs: Record<string, string | number | boolean | EventListener | undefined> = {}, ...children: (Node | string | null | undefined | false)[]): T {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name!) as T;
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Node | string | null | undefined | false)[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

export const json = (v: unknown): string => JSON.stringify(v, null, 2) ?? 'undefined';

/** `HH:MM:SS.mmm` UTC. */
export const clock = (at: number): string => (at ? new Date(at).toISOString().slice(11, 23) : '');
