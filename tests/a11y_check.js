// The accessibility check of tests/browser.py, run in the page: every form control has a label
// (for=, wrapping, or aria-label), and every element with its own text has a contrast of at
// least 4.5:1 against its nearest opaque background (WCAG 2 AA for body text).
() => {
  const problems = [];
  const controls = document.querySelectorAll('input:not([type=hidden]), select, textarea');
  for (const el of controls) {
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label')
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const style = getComputedStyle(el);
    if (!own || style.visibility === 'hidden' || style.display === 'none' || !el.getClientRects().length) continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${el.tagName} ${el.textContent.trim().slice(0, 40)}`);
  }
  if (!document.documentElement.lang) problems.push('no lang on <html>');
  if (!document.querySelector('h1')) problems.push('no h1');
  return problems;
}
