# tests/support/mkxlsx.py OUT SHEET=ROWS ... - write a minimal .xlsx workbook, one sheet
# per argument (ROWS: rows split by ";", cells by ","; numbers stay numbers), with
# the standard library only: the tests make .xlsx mocks without a spreadsheet program.
import sys, zipfile
from xml.sax.saxutils import escape
out, sheets = sys.argv[1], [a.split('=', 1) for a in sys.argv[2:]]
def col(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
def cell(ref, v):
    try:
        float(v)
        return f'<c r="{ref}"><v>{v}</v></c>'
    except ValueError:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
with zipfile.ZipFile(out, 'w') as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + ''.join(f'<Override PartName="/xl/worksheets/sheet{i+1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(sheets))) + '</Types>')
    z.writestr('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' + ''.join(f'<sheet name="{escape(n)}" sheetId="{i+1}" r:id="rId{i+1}"/>' for i, (n, _) in enumerate(sheets)) + '</sheets></workbook>')
    z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + ''.join(f'<Relationship Id="rId{i+1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i+1}.xml"/>' for i in range(len(sheets))) + '</Relationships>')
    for i, (_, text) in enumerate(sheets):
        rows = [r.split(',') for r in text.split(';')]
        body = ''.join(f'<row r="{ri+1}">' + ''.join(cell(f'{col(ci)}{ri+1}', v) for ci, v in enumerate(r)) + '</row>' for ri, r in enumerate(rows))
        z.writestr(f'xl/worksheets/sheet{i+1}.xml', f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>')
