// Describes tokens for messages, as a person reads them: `';'`, `identifier 'b'`, `end of file`.
const NAMED: Record<string, string> = {
  identifier: 'identifier',
  integer_expression: 'integer',
  float_expression: 'number',
  string_fragment: 'string',
  path_fragment: 'path',
  spath_expression: 'search path',
  uri_expression: 'URI',
  ellipses: "'...'",
  comment: 'comment',
};

export function describeToken(type: string, text: string): string {
  if (type === 'identifier') return `identifier '${truncate(text)}'`;
  if (NAMED[type]) return NAMED[type];
  if (type === 'ERROR' || type === 'UNEXPECTED') return `'${truncate(text)}'`;
  return `'${type}'`;
}

function truncate(s: string): string {
  const oneLine = s.replace(/\s+/g, ' ');
  return oneLine.length > 24 ? oneLine.slice(0, 23) + '…' : oneLine;
}
