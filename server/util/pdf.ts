/**
 * A minimal, valid PDF 1.4 writer for text documents (the conference protocol): A4 pages, Helvetica
 * with WinAnsiEncoding (German umlauts, ß, „“ –), simple word wrap, headings in bold, automatic page
 * breaks and page numbers, a correct cross-reference table. No dependencies.
 */
export interface PdfLine {
  text: string;
  bold?: boolean;
  size?: number;
  /** Extra space before the line (points). */
  gap?: number;
}

const WIN_ANSI: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97 };

/** Encodes text as a PDF literal string in WinAnsiEncoding (unknown characters become "?"). */
export function pdfString(s: string): string {
  let out = '(';
  for (const ch of s) {
    let code = WIN_ANSI[ch] ?? ch.codePointAt(0)!;
    if (code > 0xff || (code >= 0x80 && code < 0xa0 && !Object.values(WIN_ANSI).includes(code))) code = 0x3f;
    if (ch === '(' || ch === ')' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code > 0x7e) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out})`;
}

/** Rough Helvetica width (average glyph width 0.5 em; enough for wrapping). */
function wrap(text: string, size: number, width: number): string[] {
  const max = Math.max(10, Math.floor(width / (size * 0.5)));
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let cur = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (!cur) cur = word;
      else if ((cur + ' ' + word).length <= max) cur += ' ' + word;
      else {
        out.push(cur);
        cur = word;
      }
      while (cur.length > max) {
        out.push(cur.slice(0, max));
        cur = cur.slice(max);
      }
    }
    out.push(cur);
  }
  return out;
}

export function buildPdf(lines: PdfLine[], meta: { title: string; footer?: string }): Buffer {
  const W = 595;
  const H = 842;
  const M = 56;
  const pages: string[][] = [[]];
  let y = H - M;
  for (const l of lines) {
    const size = l.size ?? 11;
    const lead = size * 1.35;
    y -= l.gap ?? 0;
    for (const part of wrap(l.text, size, W - 2 * M)) {
      if (y - lead < M + 20) {
        pages.push([]);
        y = H - M;
      }
      y -= lead;
      pages[pages.length - 1].push(`BT /${l.bold ? 'F2' : 'F1'} ${size} Tf ${M} ${y.toFixed(1)} Td ${pdfString(part)} Tj ET`);
    }
  }
  const objs: string[] = [];
  const add = (s: string) => objs.push(s) - 1 + 1; // object number (1-based)
  const catalog = add('');
  const pagesObj = add('');
  const f1 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const f2 = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  pages.forEach((ops, i) => {
    const footer = `BT /F1 8 Tf ${M} 30 Td ${pdfString(`${meta.footer ? meta.footer + ' – ' : ''}Seite ${i + 1} von ${pages.length}`)} Tj ET`;
    const stream = [...ops, footer].join('\n');
    const content = add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${W} ${H}] /Resources << /Font << /F1 ${f1} 0 R /F2 ${f2} 0 R >> >> /Contents ${content} 0 R >>`));
  });
  objs[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objs[pagesObj - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  const info = add(`<< /Title ${pdfString(meta.title)} /Producer (KIM Prozessplattform) >>`);
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
