/* pmo_xl._sheetxml: the cells of a worksheet's XML, without a Python step per cell.
 *
 * python-calamine parses a 3,000-row sheet in about 9 ms, most of a project workbook's read.
 * parse_sheet reads the sheets Excel, LibreOffice, openpyxl and XlsxWriter write (<c r="B7"
 * s="3" t="s"><v>12</v></c>) in one pass over the bytes and builds the same rows calamine's
 * to_python() gives: a rectangle from A1 to the last cell holding a value, '' where there is
 * none, floats, booleans, shared and inline strings, dates through a callback; it also lists
 * the error cells and the formulas saved without a value, as pmo_xl's Python scans would.
 * Anything else (ISO dates, cells out of order or without a reference, unknown attributes or
 * elements, entities it does not know, text an XML parser or openpyxl would read otherwise)
 * makes it return None, and the caller reads the sheet with calamine as before: this module
 * only has to be right on what it accepts. parse_sst reads the shared strings the same way;
 * strict_extent measures a sheet for preflight; transpose turns rows into columns; text_hashes
 * digests a column of texts (sheet_pieces); typed_column
 * types one column of a table for the reader; frame_rows
 * writes the rows of an output table body (xlsx_writer) as bytes.
 *
 * Every read is bounded by the buffer's end; every number by its length. The grid is
 * allocated only after the cells are counted, within the caller's cell limit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_ROW 1048576L
#define MAX_COL 16384L
#define MAX_NUMBER 64

typedef struct {
    const char *p;
    const char *end;
} Cursor;

typedef struct {
    long row;
    long col;
    PyObject *value; /* owned */
} Cell;

typedef struct {
    Cell *items;
    Py_ssize_t len;
    Py_ssize_t cap;
} Cells;

static void cells_free(Cells *cells) {
    for (Py_ssize_t i = 0; i < cells->len; i++) {
        Py_XDECREF(cells->items[i].value);
    }
    PyMem_Free(cells->items);
    cells->items = NULL;
    cells->len = cells->cap = 0;
}

/* Takes the reference to value. 0 on success, -1 on memory error (value released). */
static int cells_push(Cells *cells, long row, long col, PyObject *value) {
    if (cells->len == cells->cap) {
        Py_ssize_t cap = cells->cap ? cells->cap * 2 : 1024;
        Cell *grown = PyMem_Realloc(cells->items, (size_t)cap * sizeof(Cell));
        if (grown == NULL) {
            Py_DECREF(value);
            PyErr_NoMemory();
            return -1;
        }
        cells->items = grown;
        cells->cap = cap;
    }
    cells->items[cells->len].row = row;
    cells->items[cells->len].col = col;
    cells->items[cells->len].value = value;
    cells->len++;
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_space(Cursor *c) {
    while (c->p < c->end && is_space(*c->p)) c->p++;
}

/* Does the cursor stand on this literal? */
static int at(const Cursor *c, const char *lit) {
    size_t n = strlen(lit);
    return (size_t)(c->end - c->p) >= n && memcmp(c->p, lit, n) == 0;
}

/* An element's name ends here (space, '>' or '/'). */
static int name_ends(const Cursor *c, size_t n) {
    if ((size_t)(c->end - c->p) <= n) return 0;
    char ch = c->p[n];
    return ch == '>' || ch == '/' || is_space(ch);
}

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} Attr;

/* Reads the attributes of a start tag up to its '>' or '/>'. Returns the number of attributes
 * (at most max), sets *closed when the tag is empty ('/>'), -1 when the tag is malformed or
 * has more than max attributes. */
static int read_attrs(Cursor *c, Attr *attrs, int max, int *closed) {
    int n = 0;
    for (;;) {
        skip_space(c);
        if (c->p >= c->end) return -1;
        if (*c->p == '>') {
            c->p++;
            *closed = 0;
            return n;
        }
        if (*c->p == '/') {
            if (c->end - c->p < 2 || c->p[1] != '>') return -1;
            c->p += 2;
            *closed = 1;
            return n;
        }
        const char *name = c->p;
        while (c->p < c->end && *c->p != '=' && !is_space(*c->p) && *c->p != '>' &&
               *c->p != '/')
            c->p++;
        size_t name_len = (size_t)(c->p - name);
        skip_space(c);
        if (name_len == 0 || c->p >= c->end || *c->p != '=') return -1;
        c->p++;
        skip_space(c);
        if (c->p >= c->end || (*c->p != '"' && *c->p != '\'')) return -1;
        char quote = *c->p++;
        const char *value = c->p;
        const char *stop = memchr(c->p, quote, (size_t)(c->end - c->p));
        if (stop == NULL) return -1;
        c->p = stop + 1;
        if (n == max) return -1;
        attrs[n].name = name;
        attrs[n].name_len = name_len;
        attrs[n].value = value;
        attrs[n].value_len = (size_t)(stop - value);
        n++;
    }
}

static int attr_is(const Attr *a, const char *name) {
    size_t n = strlen(name);
    return a->name_len == n && memcmp(a->name, name, n) == 0;
}

static int value_is(const Attr *a, const char *value) {
    size_t n = strlen(value);
    return a->value_len == n && memcmp(a->value, value, n) == 0;
}

/* Digits only, no sign, no leading '+': a row number, a style index, a string index. */
static int parse_index(const char *s, size_t n, long max, long *out) {
    if (n == 0 || n > 9) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

/* "AB12" -> column 28, row 12 (both from 1). */
static int parse_ref(const char *s, size_t n, long *row, long *col) {
    size_t i = 0;
    long c = 0;
    while (i < n && i < 3 && s[i] >= 'A' && s[i] <= 'Z') {
        c = c * 26 + (s[i] - 'A' + 1);
        i++;
    }
    if (i == 0 || c > MAX_COL) return -1;
    if (parse_index(s + i, n - i, MAX_ROW, row) < 0 || *row < 1) return -1;
    *col = c;
    return 0;
}

/* Text content with the five XML entities and character references decoded, as a str.
 * NULL without an exception set when the text holds something else ('<', an unknown entity,
 * a carriage return an XML parser would normalise, invalid UTF-8). */
static int is_hex(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* "_x000D_" and the like: an escaped character calamine decodes and openpyxl keeps as is
 * (fast_workbook._check_escapes); such text is left to openpyxl. */
static int has_escape(const char *s, size_t n) {
    for (const char *q = s; n >= 7 && q <= s + n - 7; q++) {
        q = memchr(q, '_', (size_t)(s + n - 7 - q) + 1);
        if (q == NULL) return 0;
        if (q[1] == 'x' && is_hex(q[2]) && is_hex(q[3]) && is_hex(q[4]) && is_hex(q[5]) &&
            q[6] == '_')
            return 1;
    }
    return 0;
}

static PyObject *decode_text(const char *s, size_t n) {
    if (memchr(s, '\r', n) != NULL || has_escape(s, n)) return NULL;
    if (memchr(s, '&', n) == NULL) {
        PyObject *text = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
        if (text == NULL) PyErr_Clear();
        return text;
    }
    char *buf = PyMem_Malloc(n + 1);
    if (buf == NULL) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '&') {
            buf[o++] = s[i++];
            continue;
        }
        const char *semi = memchr(s + i, ';', n - i);
        if (semi == NULL) goto fail;
        size_t len = (size_t)(semi - (s + i)) + 1; /* "&amp;" */
        const char *e = s + i;
        if (len == 5 && memcmp(e, "&amp;", 5) == 0) buf[o++] = '&';
        else if (len == 4 && memcmp(e, "&lt;", 4) == 0) buf[o++] = '<';
        else if (len == 4 && memcmp(e, "&gt;", 4) == 0) buf[o++] = '>';
        else if (len == 6 && memcmp(e, "&quot;", 6) == 0) buf[o++] = '"';
        else if (len == 6 && memcmp(e, "&apos;", 6) == 0) buf[o++] = '\'';
        else if (len >= 4 && len <= 10 && e[1] == '#') {
            unsigned long cp = 0;
            size_t k = 2;
            int hex = e[2] == 'x';
            if (hex) k = 3;
            if (k >= len - 1) goto fail;
            for (; k < len - 1; k++) {
                char ch = e[k];
                int d;
                if (ch >= '0' && ch <= '9') d = ch - '0';
                else if (hex && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
                else if (hex && ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
                else goto fail;
                cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                if (cp > 0x10FFFF) goto fail;
            }
            /* XML 1.0 characters only; a carriage return as a reference is kept by parsers,
             * but is rare enough to leave to them. */
            if (cp == 0 || cp == '\r' || (cp < 0x20 && cp != '\t' && cp != '\n') ||
                (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
                goto fail;
            if (cp < 0x80) buf[o++] = (char)cp;
            else if (cp < 0x800) {
                buf[o++] = (char)(0xC0 | (cp >> 6));
                buf[o++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                buf[o++] = (char)(0xE0 | (cp >> 12));
                buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                buf[o++] = (char)(0xF0 | (cp >> 18));
                buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[o++] = (char)(0x80 | (cp & 0x3F));
            }
        } else goto fail;
        i += len;
    }
    {
        PyObject *text = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)o, "strict");
        if (text == NULL) PyErr_Clear();
        PyMem_Free(buf);
        return text;
    }
fail:
    PyMem_Free(buf);
    return NULL;
}

/* The text of an element whose start tag was just read, up to its end tag </name>: no child
 * element, no comment, no CDATA. Moves the cursor past the end tag. */
static int element_text(Cursor *c, const char *end_tag, const char **text, size_t *len) {
    const char *lt = memchr(c->p, '<', (size_t)(c->end - c->p));
    if (lt == NULL) return -1;
    size_t n = strlen(end_tag);
    if ((size_t)(c->end - lt) < n || memcmp(lt, end_tag, n) != 0) return -1;
    *text = c->p;
    *len = (size_t)(lt - c->p);
    c->p = lt + n;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Shared strings                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Appends the decoded text of one <t> element (start tag at the cursor) to parts. */
static int read_t(Cursor *c, PyObject *parts) {
    Attr attrs[2];
    int closed;
    c->p += 2; /* "<t" */
    int n = read_attrs(c, attrs, 2, &closed);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++)
        if (!attr_is(&attrs[i], "xml:space")) return -1;
    if (closed) return 0; /* <t/>: no text */
    const char *text;
    size_t len;
    if (element_text(c, "</t>", &text, &len) < 0) return -1;
    PyObject *s = decode_text(text, len);
    if (s == NULL) return -1;
    int rc = PyList_Append(parts, s);
    Py_DECREF(s);
    return rc;
}

/* Skips an element with no child we need (<rPr>...</rPr>): to its matching end tag. */
static int skip_element(Cursor *c, const char *name) {
    Attr attrs[16];
    int closed;
    c->p += 1 + strlen(name);
    if (read_attrs(c, attrs, 16, &closed) < 0) return -1;
    if (closed) return 0;
    char end_tag[16];
    snprintf(end_tag, sizeof end_tag, "</%s>", name);
    const char *stop = NULL;
    /* <rPr> holds empty elements only (<b/>, <sz val="11"/>...), so the first end tag of its
     * name closes it. */
    size_t n = strlen(end_tag);
    for (const char *q = c->p; q + n <= c->end; q++) {
        q = memchr(q, '<', (size_t)(c->end - q));
        if (q == NULL || q + n > c->end) break;
        if (memcmp(q, end_tag, n) == 0) {
            stop = q;
            break;
        }
        if (q[1] != '/' && memcmp(q + 1, name, strlen(name)) == 0) return -1; /* nested */
    }
    if (stop == NULL) return -1;
    c->p = stop + n;
    return 0;
}

/* The text of a rich string (<si> of the shared strings, <is> of an inline string) whose start
 * tag was just read, up to end_tag: its <t>, or the <t> of its runs, joined. A new str; NULL
 * without an exception to decline. */
static PyObject *read_rst(Cursor *c, const char *end_tag) {
    size_t end_len = strlen(end_tag);
    PyObject *parts = PyList_New(0);
    if (parts == NULL) return NULL;
    for (;;) {
        skip_space(c);
        if ((size_t)(c->end - c->p) >= end_len && memcmp(c->p, end_tag, end_len) == 0) {
            c->p += end_len;
            break;
        }
        if (at(c, "<t") && name_ends(c, 2)) {
            if (read_t(c, parts) < 0) goto decline;
        } else if (at(c, "<r>")) {
            c->p += 3;
            for (;;) {
                skip_space(c);
                if (at(c, "</r>")) {
                    c->p += 4;
                    break;
                }
                if (at(c, "<rPr") && name_ends(c, 4)) {
                    if (skip_element(c, "rPr") < 0) goto decline;
                } else if (at(c, "<t") && name_ends(c, 2)) {
                    if (read_t(c, parts) < 0) goto decline;
                } else goto decline;
            }
        } else if (at(c, "<phoneticPr") && name_ends(c, 11)) {
            if (skip_element(c, "phoneticPr") < 0) goto decline;
        } else goto decline;
    }
    {
        PyObject *empty = PyUnicode_FromStringAndSize("", 0);
        if (empty == NULL) goto decline;
        PyObject *joined = PyUnicode_Join(empty, parts);
        Py_DECREF(empty);
        Py_DECREF(parts);
        return joined;
    }
decline:
    Py_DECREF(parts);
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError)) PyErr_Clear();
    return NULL;
}

static PyObject *parse_sst(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    Cursor c = {buf.buf, (const char *)buf.buf + buf.len};
    PyObject *out = PyList_New(0);
    if (out == NULL) goto error;
    /* Phonetic runs (<rPh>) hold text that is not the cell's: leave such tables to calamine. */
    if (buf.len >= 4) {
        const char *s = buf.buf;
        for (Py_ssize_t i = 0; i + 4 <= buf.len; i++) {
            const char *q = memchr(s + i, '<', (size_t)(buf.len - i));
            if (q == NULL) break;
            i = q - s;
            if (i + 4 <= buf.len && memcmp(q, "<rPh", 4) == 0) goto decline;
            if (i + 4 <= buf.len && memcmp(q, "<!--", 4) == 0) goto decline;
            if (i + 9 <= buf.len && memcmp(q, "<![CDATA[", 9) == 0) goto decline;
        }
    }
    const char *start = NULL;
    for (const char *q = c.p; q < c.end; q++) {
        q = memchr(q, '<', (size_t)(c.end - q));
        if (q == NULL) break;
        if (c.end - q >= 4 && memcmp(q, "<sst", 4) == 0 && (q[4] == ' ' || q[4] == '>')) {
            start = q;
            break;
        }
    }
    if (start == NULL) goto decline;
    c.p = start + 4;
    {
        Attr attrs[8];
        int closed;
        if (read_attrs(&c, attrs, 8, &closed) < 0) goto decline;
        if (closed) goto done;
    }
    for (;;) {
        skip_space(&c);
        if (at(&c, "</sst>")) break;
        if (!at(&c, "<si>")) goto decline;
        c.p += 4;
        PyObject *joined = read_rst(&c, "</si>");
        if (joined == NULL) {
            if (PyErr_Occurred()) goto error;
            goto decline;
        }
        int rc = PyList_Append(out, joined);
        Py_DECREF(joined);
        if (rc < 0) goto error;
    }
done:
    PyBuffer_Release(&buf);
    return out;
decline:
    if (PyErr_Occurred() && PyErr_ExceptionMatches(PyExc_MemoryError)) goto error;
    PyErr_Clear();
    Py_XDECREF(out);
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
error:
    Py_XDECREF(out);
    PyBuffer_Release(&buf);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Worksheet cells                                                                            */
/* ------------------------------------------------------------------------------------------ */

enum { T_N, T_S, T_STR, T_B, T_E, T_INLINE };

typedef struct {
    PyObject *sst;      /* list of str */
    const char *styles; /* per style index: 0 number, 1 date, 2 duration */
    Py_ssize_t n_styles;
    PyObject *date_of; /* callable(value: float, kind: int) */
    PyObject *memo[3]; /* per kind: {float: converted} */
    PyObject *empty;   /* '' */
    PyObject *patches; /* list of (row, col, kind, text): 0 an error's value, 1 a formula
                        * saved without its value ("=" + its text) */
} Context;

/* "-12.375" with at most 15 digits: the digits as an integer, exact in a double, divided by an
 * exact power of ten, so one correctly rounded operation and the same double as strtod
 * (Clinger's fast path). 0 when the text is not of that form: strtod reads it. */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

static int fast_decimal(const char *s, size_t n, double *out) {
    size_t i = 0;
    int negative = 0;
    if (i < n && s[i] == '-') {
        negative = 1;
        i++;
    }
    long long mantissa = 0;
    int digits = 0, fraction = 0, dot = 0;
    if (i == n) return 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (++digits > 15) return 0;
            mantissa = mantissa * 10 + (ch - '0');
            if (dot) fraction++;
        } else if (ch == '.' && !dot) {
            dot = 1;
        } else return 0;
    }
    if (digits == 0) return 0;
    double v = (double)mantissa;
    if (fraction) v /= POW10[fraction];
    *out = negative ? -v : v;
    return 1;
}

static PyObject *number_value(Context *ctx, const char *s, size_t n, long style) {
    char tmp[MAX_NUMBER + 1];
    if (n == 0 || n > MAX_NUMBER) return NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' ||
              ch == 'E'))
            return NULL;
    }
    double v;
    if (!fast_decimal(s, n, &v)) {
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *stop = NULL;
        v = PyOS_string_to_double(tmp, &stop, NULL);
        if (stop != tmp + n || (v == -1.0 && PyErr_Occurred())) {
            PyErr_Clear();
            return NULL;
        }
    }
    PyObject *number = PyFloat_FromDouble(v);
    if (number == NULL) return NULL;
    int kind = style < ctx->n_styles ? ctx->styles[style] : 0;
    if (kind == 0) return number;
    PyObject *memo = ctx->memo[kind];
    PyObject *known = PyDict_GetItemWithError(memo, number);
    if (known != NULL) {
        Py_DECREF(number);
        Py_INCREF(known);
        return known;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(number);
        return NULL;
    }
    PyObject *converted = PyObject_CallFunction(ctx->date_of, "Oi", number, kind);
    if (converted == NULL || PyDict_SetItem(memo, number, converted) < 0) {
        Py_DECREF(number);
        Py_XDECREF(converted);
        return NULL;
    }
    Py_DECREF(number);
    return converted;
}

static int contains(const char *s, size_t n, const char *lit) {
    size_t m = strlen(lit);
    for (size_t i = 0; i + m <= n; i++)
        if (s[i] == lit[0] && memcmp(s + i, lit, m) == 0) return 1;
    return 0;
}

static int add_patch(Context *ctx, long row, long col, int kind, PyObject *text) {
    if (text == NULL) return -1;
    PyObject *item = Py_BuildValue("(lliN)", row, col, kind, text);
    if (item == NULL) return -1;
    int rc = PyList_Append(ctx->patches, item);
    Py_DECREF(item);
    return rc;
}

/* One <c ...> element, its start tag at the cursor. Returns 1 and *value (new reference, NULL
 * for a cell without a value) on success, 0 to decline, -1 on a Python error. */
static int read_cell(Context *ctx, Cursor *c, long row, long *col, PyObject **value) {
    Attr attrs[3];
    int closed;
    *value = NULL;
    const char *tag = c->p;
    c->p += 2; /* "<c" */
    int n = read_attrs(c, attrs, 3, &closed);
    if (n < 0) return 0;
    /* The raw start tag: the Python scans this replaces read it as text (a '>' inside a value
     * would end it for them), so such a tag is left to them. */
    const char *tag_end = c->p - (closed ? 2 : 1);
    if (memchr(tag, '>', (size_t)(tag_end - tag)) != NULL) return 0;
    size_t tag_len = (size_t)(tag_end - tag);
    const Attr *ref = NULL;
    long style = 0;
    int type = T_N;
    for (int i = 0; i < n; i++) {
        const Attr *a = &attrs[i];
        if (attr_is(a, "r")) ref = a;
        else if (attr_is(a, "s")) {
            if (parse_index(a->value, a->value_len, 1L << 24, &style) < 0) return 0;
        } else if (attr_is(a, "t")) {
            if (value_is(a, "n")) type = T_N;
            else if (value_is(a, "s")) type = T_S;
            else if (value_is(a, "str")) type = T_STR;
            else if (value_is(a, "b")) type = T_B;
            else if (value_is(a, "e")) type = T_E;
            else if (value_is(a, "inlineStr")) type = T_INLINE;
            else return 0; /* d (an ISO date) and anything else: calamine */
        } else return 0;
    }
    long r;
    if (ref == NULL || parse_ref(ref->value, ref->value_len, &r, col) < 0 || r != row) return 0;
    if (style >= ctx->n_styles && style != 0) return 0;
    if (closed) return 1;
    const char *text = NULL;
    size_t len = 0;
    int has_v = 0;
    /* The shape file_workbook.uncached_formulas looks for: <f> first, then at most an empty
     * <v>, then </c>. */
    int children = 0, f_first = 0, f_closed_tag = 0;
    const char *ftext = NULL;
    size_t flen = 0;
    for (;;) {
        skip_space(c);
        if (at(c, "</c>")) {
            c->p += 4;
            break;
        }
        children++;
        if (at(c, "<f") && name_ends(c, 2)) {
            Attr fa[8];
            int f_closed;
            const char *f_tag = c->p;
            c->p += 2;
            if (read_attrs(c, fa, 8, &f_closed) < 0) goto bad;
            if (memchr(f_tag, '>', (size_t)(c->p - f_tag - 1)) != NULL) goto bad;
            if (!f_closed && element_text(c, "</f>", &ftext, &flen) < 0) goto bad;
            if (children == 1) {
                f_first = 1;
                f_closed_tag = f_closed;
            }
        } else if (at(c, "<v>") && !has_v) {
            c->p += 3;
            if (element_text(c, "</v>", &text, &len) < 0) goto bad;
            has_v = 1;
        } else if (at(c, "<v") && name_ends(c, 2) && !has_v) { /* <v/>, <v /> (openpyxl) */
            Attr va[1];
            int v_closed;
            c->p += 2;
            if (read_attrs(c, va, 1, &v_closed) != 0) goto bad;
            if (!v_closed && element_text(c, "</v>", &text, &len) < 0) goto bad;
            has_v = 1;
            if (v_closed) len = 0;
        } else if (at(c, "<is>") && type == T_INLINE && *value == NULL) {
            c->p += 4;
            *value = read_rst(c, "</is>");
            if (*value == NULL) return PyErr_Occurred() ? -1 : 0;
        } else goto bad; /* <extLst>, a second <v>, <is> of another type... */
    }
    /* A formula saved without its value: <f> alone, or followed by an empty <v> only; a text
     * formula (t="str") may legitimately have an empty result. */
    int raw_str = contains(tag, tag_len, "t=\"str\"");
    int strict_tag = tag_len >= 6 && memcmp(tag, "<c r=\"", 6) == 0;
    if (f_first && strict_tag && !raw_str && (children == 1 || (children == 2 && has_v && len == 0))) {
        PyObject *formula = PyUnicode_FromStringAndSize("=", 1);
        if (formula == NULL) goto fail;
        if (!f_closed_tag && flen > 0) {
            PyObject *body = PyUnicode_DecodeUTF8(ftext, (Py_ssize_t)flen, "replace");
            if (body == NULL) {
                Py_DECREF(formula);
                goto fail;
            }
            PyUnicode_Append(&formula, body);
            Py_DECREF(body);
            if (formula == NULL) goto fail;
        }
        if (add_patch(ctx, row, *col, 1, formula) < 0) goto fail;
    }
    /* An error cell as fast_workbook.error_cells reads it: t="e" written so, a value. */
    if (type == T_E && !contains(tag, tag_len, "t=\"e\"")) goto bad;
    if (type == T_E && has_v && len > 0) {
        /* error_cells unescapes as HTML does, which reads &#128;-&#159; as Windows-1252 */
        if (contains(text, len, "&#")) goto bad;
        PyObject *error = decode_text(text, len);
        if (error == NULL) {
            if (PyErr_Occurred()) goto fail;
            goto bad;
        }
        if (add_patch(ctx, row, *col, 0, error) < 0) goto fail;
    }
    if (type == T_INLINE) {
        if (has_v) { /* openpyxl and calamine disagree on such a cell: calamine decides */
            Py_CLEAR(*value);
            return 0;
        }
        return 1; /* its text, or no value for <c t="inlineStr"/> */
    }
    if (!has_v) return 1;
    /* An empty value (a formula saved without its result) is no value, as calamine reads it;
     * a formula's empty text result is ''. */
    if (len == 0 && type != T_STR) return 1;
    switch (type) {
    case T_N:
        *value = number_value(ctx, text, len, style);
        break;
    case T_S: {
        long index;
        if (parse_index(text, len, 0x7fffffffL, &index) < 0 ||
            index >= PyList_GET_SIZE(ctx->sst))
            return 0;
        *value = PyList_GET_ITEM(ctx->sst, index);
        Py_INCREF(*value);
        break;
    }
    case T_STR:
        *value = decode_text(text, len);
        break;
    case T_B:
        if (len == 1 && (text[0] == '0' || text[0] == '1')) {
            *value = PyBool_FromLong(text[0] == '1');
        } else return 0;
        break;
    case T_E: /* calamine gives '' for an error; the caller puts the error back */
        *value = ctx->empty;
        Py_INCREF(*value);
        break;
    }
    if (*value == NULL) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_MemoryError) &&
            !PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            /* a date out of range and the like: calamine decides */
            if (PyErr_ExceptionMatches(PyExc_ValueError) ||
                PyErr_ExceptionMatches(PyExc_OverflowError)) {
                PyErr_Clear();
                return 0;
            }
            return -1;
        }
        return PyErr_Occurred() ? -1 : 0;
    }
    return 1;
bad:
    Py_CLEAR(*value);
    return 0;
fail:
    Py_CLEAR(*value);
    return -1;
}

/* parse_sheet(xml, sst, styles, date_of, max_cells) -> list[list] | None */
static PyObject *parse_sheet(PyObject *self, PyObject *args) {
    Py_buffer buf, styles;
    PyObject *sst, *date_of;
    Py_ssize_t max_cells;
    PyObject *patches;
    if (!PyArg_ParseTuple(args, "y*O!y*OnO!", &buf, &PyList_Type, &sst, &styles, &date_of,
                          &max_cells, &PyList_Type, &patches))
        return NULL;
    Context ctx = {sst, styles.buf, styles.len, date_of, {NULL, NULL, NULL}, NULL, patches};
    Cells cells = {NULL, 0, 0};
    PyObject *grid = NULL;
    int status = 0; /* 0 decline, -1 error */
    long last_row = 0, max_row = 0, max_col = 0;
    ctx.memo[1] = PyDict_New();
    ctx.memo[2] = PyDict_New();
    ctx.empty = PyUnicode_FromStringAndSize("", 0);
    if (ctx.memo[1] == NULL || ctx.memo[2] == NULL || ctx.empty == NULL) goto error;

    Cursor c = {buf.buf, (const char *)buf.buf + buf.len};
    /* The first <sheetData>: a sheet's elements before it (sheetPr, dimension, sheetViews,
     * sheetFormatPr, cols) hold no '<sheetData' text, attribute values excepted, and a
     * prefixed tag (x:sheetData) is refused by the caller. */
    const char *start = NULL;
    for (const char *q = c.p; q < c.end; q++) {
        q = memchr(q, '<', (size_t)(c.end - q));
        if (q == NULL) break;
        if (c.end - q >= 11 && memcmp(q, "<sheetData", 10) == 0 &&
            (q[10] == '>' || q[10] == '/' || is_space(q[10]))) {
            start = q;
            break;
        }
        if (c.end - q >= 4 && memcmp(q, "<!--", 4) == 0) goto decline;
    }
    if (start == NULL) goto decline;
    c.p = start + 10;
    {
        Attr attrs[1];
        int closed;
        int n = read_attrs(&c, attrs, 1, &closed);
        if (n != 0) goto decline;
        if (closed) goto build;
    }
    for (;;) {
        skip_space(&c);
        if (at(&c, "</sheetData>")) break;
        if (!(at(&c, "<row") && name_ends(&c, 4))) goto decline;
        c.p += 4;
        Attr attrs[16];
        int closed;
        int n = read_attrs(&c, attrs, 16, &closed);
        if (n < 0) goto decline;
        long row = -1;
        for (int i = 0; i < n; i++) {
            if (attr_is(&attrs[i], "r")) {
                if (parse_index(attrs[i].value, attrs[i].value_len, MAX_ROW, &row) < 0 || row < 1)
                    goto decline;
            }
        }
        if (row <= last_row) goto decline; /* no r, or rows out of order */
        last_row = row;
        if (closed) continue;
        long last_col = 0;
        for (;;) {
            skip_space(&c);
            if (at(&c, "</row>")) {
                c.p += 6;
                break;
            }
            if (!(at(&c, "<c") && name_ends(&c, 2))) goto decline;
            long col;
            PyObject *value;
            int rc = read_cell(&ctx, &c, row, &col, &value);
            if (rc < 0) goto error;
            if (rc == 0) goto decline;
            if (col <= last_col) {
                Py_XDECREF(value);
                goto decline;
            }
            last_col = col;
            if (value != NULL) {
                if (cells_push(&cells, row, col, value) < 0) goto error;
                if (row > max_row) max_row = row;
                if (col > max_col) max_col = col;
            }
        }
    }
build:
    if (cells.len == 0) {
        grid = PyList_New(0);
        if (grid == NULL) goto error;
        goto done;
    }
    if (max_col > 0 && max_row > max_cells / max_col) goto decline;
    grid = PyList_New(max_row);
    if (grid == NULL) goto error;
    for (long r = 0; r < max_row; r++) {
        PyObject *line = PyList_New(max_col);
        if (line == NULL) goto error;
        for (long k = 0; k < max_col; k++) {
            Py_INCREF(ctx.empty);
            PyList_SET_ITEM(line, k, ctx.empty);
        }
        PyList_SET_ITEM(grid, r, line);
    }
    for (Py_ssize_t i = 0; i < cells.len; i++) {
        Cell *cell = &cells.items[i];
        PyObject *line = PyList_GET_ITEM(grid, cell->row - 1);
        PyObject *old = PyList_GET_ITEM(line, cell->col - 1);
        PyList_SET_ITEM(line, cell->col - 1, cell->value); /* steals */
        Py_DECREF(old);
        cell->value = NULL;
    }
    goto done;

decline:
    status = 0;
    goto cleanup;
error:
    status = -1;
cleanup:
    Py_CLEAR(grid);
done:
    cells_free(&cells);
    Py_XDECREF(ctx.memo[1]);
    Py_XDECREF(ctx.memo[2]);
    Py_XDECREF(ctx.empty);
    PyBuffer_Release(&buf);
    PyBuffer_Release(&styles);
    if (grid != NULL) return grid;
    if (status < 0 || PyErr_Occurred()) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "sheet parse failed");
        return NULL;
    }
    Py_RETURN_NONE;
}


/* ------------------------------------------------------------------------------------------ */
/* Sheet extent (preflight)                                                                   */
/* ------------------------------------------------------------------------------------------ */

static int tag_delimiter(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '>' || ch == '/';
}

/* Digits [1-9][0-9]{0,6} then '"' at s (bounded by end): the number, or -1. */
static long strict_number(const char *s, const char *end, const char **after) {
    long v = 0;
    int n = 0;
    if (s >= end || *s < '1' || *s > '9') return -1;
    while (s < end && *s >= '0' && *s <= '9') {
        if (++n > 7) return -1;
        v = v * 10 + (*s++ - '0');
    }
    if (s >= end || *s != '"') return -1;
    *after = s + 1;
    return v;
}

/* strict_extent(data) -> (rows, cols, ranges) | None: the largest row and column of a piece of
 * sheet XML (whole tags) whose every cell tag is written <c r="A1" and every row tag <row r="1",
 * as preflight's fast path requires, and whether it holds a <mergeCell or <hyperlink tag; None
 * for any other form (preflight's exact path). */
static PyObject *strict_extent(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    const char *p = buf.buf, *end = (const char *)buf.buf + buf.len;
    long rows = 0, cols = 0;
    int ok = 1, ranges = 0;
    /* A prefixed cell or row tag (x:c, x:row) anywhere: the exact path. */
    for (const char *q = p; q < end && ok; q++) {
        q = memchr(q, ':', (size_t)(end - q));
        if (q == NULL) break;
        if (end - q >= 3 && q[1] == 'c' &&
            (tag_delimiter(q[2]) || q[2] == '\x0b' || q[2] == '\x0c'))
            ok = 0;
        else if (end - q >= 5 && memcmp(q + 1, "row", 3) == 0 &&
                 (tag_delimiter(q[4]) || q[4] == '\x0b' || q[4] == '\x0c'))
            ok = 0;
    }
    for (const char *q = p; q < end && ok;) {
        q = memchr(q, '<', (size_t)(end - q));
        if (q == NULL) break;
        if (end - q >= 3 && q[1] == 'c' && tag_delimiter(q[2])) {
            const char *t = q + 2, *after;
            if (end - t < 4 || memcmp(t, " r=\"", 4) != 0) {
                ok = 0;
                break;
            }
            t += 4;
            long c = 0;
            int letters = 0;
            while (t < end && *t >= 'A' && *t <= 'Z' && letters < 4) {
                c = c * 26 + (*t++ - 'A' + 1);
                letters++;
            }
            long r = strict_number(t, end, &after);
            if (letters == 0 || letters > 3 || r < 0) {
                ok = 0;
                break;
            }
            if (r > rows) rows = r;
            if (c > cols) cols = c;
            q = after;
        } else if (end - q >= 5 && memcmp(q + 1, "row", 3) == 0 && tag_delimiter(q[4])) {
            const char *t = q + 4, *after;
            if (end - t < 4 || memcmp(t, " r=\"", 4) != 0) {
                ok = 0;
                break;
            }
            long r = strict_number(t + 4, end, &after);
            if (r < 0) {
                ok = 0;
                break;
            }
            if (r > rows) rows = r;
            q = after;
        } else {
            if ((end - q > 10 && memcmp(q + 1, "mergeCell", 9) == 0) ||
                (end - q > 10 && memcmp(q + 1, "hyperlink", 9) == 0))
                ranges = 1;
            q++;
        }
    }
    PyBuffer_Release(&buf);
    if (!ok) Py_RETURN_NONE;
    return Py_BuildValue("(llO)", rows, cols, ranges ? Py_True : Py_False);
}

/* transpose(rows) -> list[list] | None: the columns of a rectangle of rows (lists of equal
 * length), the same objects; None when the rows are not such a rectangle. */
static PyObject *transpose(PyObject *self, PyObject *rows) {
    if (!PyList_Check(rows)) Py_RETURN_NONE;
    Py_ssize_t n = PyList_GET_SIZE(rows);
    if (n == 0) Py_RETURN_NONE;
    PyObject *first = PyList_GET_ITEM(rows, 0);
    if (!PyList_Check(first)) Py_RETURN_NONE;
    Py_ssize_t width = PyList_GET_SIZE(first);
    for (Py_ssize_t r = 0; r < n; r++) {
        PyObject *row = PyList_GET_ITEM(rows, r);
        if (!PyList_Check(row) || PyList_GET_SIZE(row) != width) Py_RETURN_NONE;
    }
    PyObject *columns = PyList_New(width);
    if (columns == NULL) return NULL;
    for (Py_ssize_t c = 0; c < width; c++) {
        PyObject *column = PyList_New(n);
        if (column == NULL) {
            Py_DECREF(columns);
            return NULL;
        }
        for (Py_ssize_t r = 0; r < n; r++) {
            PyObject *value = PyList_GET_ITEM(PyList_GET_ITEM(rows, r), c);
            Py_INCREF(value);
            PyList_SET_ITEM(column, r, value);
        }
        PyList_SET_ITEM(columns, c, column);
    }
    return columns;
}

/* ---- Reading: one column of a table, typed ------------------------------------------- */

enum { TYPED_NUMBER = 0, TYPED_DATE = 1, TYPED_TEXT = 2, TYPED_RAW = 3 };

/* Day number of a date (date.toordinal()): 1 for 1 January of year 1. */
static long long ordinal_of(int y, int m, int d) {
    static const int before[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    long long p = y - 1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return p * 365 + p / 4 - p / 100 + p / 400 + before[m] + (m > 2 && leap) + d;
}

/* The stripped text of s, each distinct s stripped once (memo: s -> stripped or None when
 * nothing is left), equal results shared (shared: text -> text). New reference, or NULL. */
static PyObject *stripped_of(PyObject *s, PyObject *memo, PyObject *shared) {
    PyObject *hit = PyDict_GetItemWithError(memo, s);
    if (hit != NULL) return Py_NewRef(hit);
    if (PyErr_Occurred()) return NULL;
    PyObject *text = PyObject_CallMethod(s, "strip", NULL);
    if (text == NULL) return NULL;
    PyObject *result;
    if (PyUnicode_GET_LENGTH(text) == 0) {
        result = Py_NewRef(Py_None);
    } else {
        result = PyDict_SetDefault(shared, text, text);
        Py_XINCREF(result);
    }
    Py_DECREF(text);
    if (result == NULL || PyDict_SetItem(memo, s, result) < 0) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

/* typed_column(cells, kind, first_day, last_day) -> (values, slow, blank): see native.py. */
static PyObject *typed_column(PyObject *self, PyObject *args) {
    PyObject *cells;
    int kind;
    long long first_day, last_day;
    if (!PyArg_ParseTuple(args, "O!iLL", &PyList_Type, &cells, &kind, &first_day, &last_day))
        return NULL;
    if (kind < TYPED_NUMBER || kind > TYPED_RAW) {
        PyErr_SetString(PyExc_ValueError, "typed_column: unknown kind");
        return NULL;
    }
    if (PyDateTimeAPI == NULL) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == NULL) return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(cells);
    int numeric = kind == TYPED_NUMBER || kind == TYPED_DATE;
    PyObject *values = numeric ? PyByteArray_FromStringAndSize(NULL, n * 8) : PyList_New(n);
    PyObject *slow = PyByteArray_FromStringAndSize(NULL, n);
    PyObject *blank = PyByteArray_FromStringAndSize(NULL, n);
    PyObject *memo = PyDict_New(), *shared = PyDict_New();
    PyObject *result = NULL;
    if (values == NULL || slow == NULL || blank == NULL || memo == NULL || shared == NULL)
        goto done;
    char *slow_at = PyByteArray_AS_STRING(slow), *blank_at = PyByteArray_AS_STRING(blank);
    double *numbers = kind == TYPED_NUMBER ? (double *)PyByteArray_AS_STRING(values) : NULL;
    long long *days = kind == TYPED_DATE ? (long long *)PyByteArray_AS_STRING(values) : NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GET_ITEM(cells, i);
        int is_slow = 0, is_blank = 0;
        PyObject *out = NULL; /* text kinds: the new reference stored */
        if (v == Py_None || (PyUnicode_CheckExact(v) && PyUnicode_GET_LENGTH(v) == 0)) {
            is_blank = 1;
            if (numbers) numbers[i] = Py_NAN;
            if (days) days[i] = 0;
            if (!numeric) out = Py_NewRef(Py_None);
        } else if (PyUnicode_CheckExact(v)) {
            PyObject *text = stripped_of(v, memo, shared);
            if (text == NULL) goto done;
            is_blank = text == Py_None;
            if (numeric) {
                is_slow = 1; /* text in a number or date column: convert() decides */
                Py_DECREF(text);
                if (numbers) numbers[i] = Py_NAN;
                if (days) days[i] = 0;
            } else if (kind == TYPED_TEXT) {
                out = text;
            } else {
                Py_DECREF(text);
                out = Py_NewRef(v);
            }
        } else if (kind == TYPED_NUMBER && (PyFloat_CheckExact(v) || PyLong_CheckExact(v))) {
            double x = PyFloat_CheckExact(v) ? PyFloat_AS_DOUBLE(v) : PyLong_AsDouble(v);
            if (x == -1.0 && PyErr_Occurred()) {
                PyErr_Clear(); /* an integer beyond a float: convert() decides */
                is_slow = 1;
                x = Py_NAN;
            } else if (!isfinite(x)) {
                is_slow = 1; /* NaN, infinity: NUMBER_INVALID */
            }
            numbers[i] = x;
        } else if (kind == TYPED_DATE &&
                   (Py_IS_TYPE(v, PyDateTimeAPI->DateTimeType) ||
                    Py_IS_TYPE(v, PyDateTimeAPI->DateType))) {
            long long day = ordinal_of(PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v),
                                       PyDateTime_GET_DAY(v));
            days[i] = day;
            is_slow = day < first_day || day > last_day; /* DATE_INVALID */
        } else {
            is_slow = 1; /* booleans, errors, times…: convert() decides */
            if (numbers) numbers[i] = Py_NAN;
            if (days) days[i] = 0;
            if (!numeric) out = Py_NewRef(v);
        }
        slow_at[i] = (char)is_slow;
        blank_at[i] = (char)is_blank;
        if (!numeric) PyList_SET_ITEM(values, i, out);
    }
    result = PyTuple_Pack(3, values, slow, blank);
done:
    Py_XDECREF(values);
    Py_XDECREF(slow);
    Py_XDECREF(blank);
    Py_XDECREF(memo);
    Py_XDECREF(shared);
    return result;
}

/* ---- Writing: the rows of a table body ------------------------------------------------- */

typedef struct {
    const char *p;
    Py_ssize_t n;
} Piece;

/* The pieces of a list of bytes (None: an empty piece marked by p == NULL); 0 on error. */
static int pieces_of(PyObject *list, Piece **out, Py_ssize_t *count, int none_ok) {
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "a list of bytes was expected");
        return 0;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    Piece *pieces = PyMem_Calloc(n ? (size_t)n : 1, sizeof(Piece));
    if (pieces == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        if (item == Py_None && none_ok) continue;
        if (!PyBytes_Check(item)) {
            PyMem_Free(pieces);
            PyErr_SetString(PyExc_TypeError, "a list of bytes was expected");
            return 0;
        }
        pieces[i].p = PyBytes_AS_STRING(item);
        pieces[i].n = PyBytes_GET_SIZE(item);
    }
    *out = pieces;
    *count = n;
    return 1;
}

static int digits(long v, char *out) { /* decimal digits of v >= 0, written from out[0] */
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

typedef struct {
    Py_buffer buf;
    const Py_intptr_t *codes;
    Piece *endings;
    Py_ssize_t n_endings;
    Piece open;
} BodyColumn;

static const char ROW_OPEN[] = "<row r=\"";
static const char ROW_BARE[] = "<row";
static const char ROW_CLOSE[] = "</row>";

/* The rows start..stop-1 as bytes: two passes, the exact size (every code checked), then the
 * copy. A first_number below 0: rows and cells without numbers (no r attribute: each follows
 * the one before), the tails and endings written for that. */
static PyObject *rows_bytes(long first_number, const Piece *tails, Py_ssize_t n_tails,
                            const Py_intptr_t *tail_codes, BodyColumn *cols, Py_ssize_t n_cols,
                            Py_ssize_t start, Py_ssize_t stop) {
    Py_ssize_t size = 0;
    char number[24];
    int numbered = first_number >= 0;
    const char *row_open = numbered ? ROW_OPEN : ROW_BARE;
    Py_ssize_t row_open_n = numbered ? (Py_ssize_t)sizeof(ROW_OPEN) - 1 : (Py_ssize_t)sizeof(ROW_BARE) - 1;
    for (Py_ssize_t i = start; i < stop; i++) {
        Py_ssize_t width = numbered ? digits(first_number + i, number) : 0;
        Py_intptr_t tail = tail_codes ? tail_codes[i] : 0;
        if (tail < 0 || tail >= n_tails) {
            PyErr_SetString(PyExc_IndexError, "tail code out of range");
            return NULL;
        }
        size += row_open_n + width + tails[tail].n +
                (Py_ssize_t)sizeof(ROW_CLOSE) - 1;
        for (Py_ssize_t j = 0; j < n_cols; j++) {
            BodyColumn *col = &cols[j];
            Py_intptr_t code = col->codes[i];
            if (code < -1 || code >= col->n_endings) {
                PyErr_SetString(PyExc_IndexError, "code out of range");
                return NULL;
            }
            const Piece *end = &col->endings[code < 0 ? col->n_endings - 1 : code];
            if (end->p != NULL) size += col->open.n + width + end->n;
        }
    }
    PyObject *result = PyBytes_FromStringAndSize(NULL, size);
    if (result == NULL) return NULL;
    char *w = PyBytes_AS_STRING(result);
#define PUT(src, len)                    \
    do {                                 \
        memcpy(w, (src), (size_t)(len)); \
        w += (len);                      \
    } while (0)
    for (Py_ssize_t i = start; i < stop; i++) {
        int width = numbered ? digits(first_number + i, number) : 0;
        PUT(row_open, row_open_n);
        PUT(number, width);
        const Piece *tail = &tails[tail_codes ? tail_codes[i] : 0];
        PUT(tail->p, tail->n);
        for (Py_ssize_t j = 0; j < n_cols; j++) {
            BodyColumn *col = &cols[j];
            Py_intptr_t code = col->codes[i];
            const Piece *end = &col->endings[code < 0 ? col->n_endings - 1 : code];
            if (end->p == NULL) continue;
            PUT(col->open.p, col->open.n);
            PUT(number, width);
            PUT(end->p, end->n);
        }
        PUT(ROW_CLOSE, sizeof(ROW_CLOSE) - 1);
    }
#undef PUT
    return result;
}

/* An intp buffer of at least n items; 0 (error set) otherwise. */
static int intp_buffer(PyObject *obj, Py_buffer *buf, Py_ssize_t n, const char *what) {
    if (PyObject_GetBuffer(obj, buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return 0;
    if (buf->itemsize != sizeof(Py_intptr_t) || buf->len / buf->itemsize < n) {
        PyBuffer_Release(buf);
        buf->obj = NULL;
        PyErr_Format(PyExc_ValueError, "%s: intp, at least %zd", what, n);
        return 0;
    }
    return 1;
}

/* What frame_rows and group_rows take of a table body: the row tails and each row's (none:
 * tails[0] for all), and per column its open, codes (intp, at least n_rows) and endings (a list
 * of bytes or None, the blank's last). */
typedef struct {
    Piece *tails;
    Py_ssize_t n_tails;
    Py_buffer tail_buf;
    const Py_intptr_t *tail_codes;
    BodyColumn *cols;
    Py_ssize_t n_cols;
} Body;

static void close_body(Body *b) { /* whatever open_body took; b starts zeroed */
    for (Py_ssize_t j = 0; b->cols != NULL && j < b->n_cols; j++) {
        if (b->cols[j].buf.obj != NULL) PyBuffer_Release(&b->cols[j].buf);
        PyMem_Free(b->cols[j].endings);
    }
    PyMem_Free(b->cols);
    PyMem_Free(b->tails);
    if (b->tail_buf.obj != NULL) PyBuffer_Release(&b->tail_buf);
}

/* 1, or 0 with an error set (close_body still to be called). */
static int open_body(Body *b, PyObject *tails_obj, PyObject *tail_codes_obj, PyObject *opens_obj,
                     PyObject *codes_obj, PyObject *endings_obj, Py_ssize_t n_rows) {
    if (!PyList_Check(opens_obj) || !PyList_Check(codes_obj) || !PyList_Check(endings_obj) ||
        PyList_GET_SIZE(codes_obj) != PyList_GET_SIZE(opens_obj) ||
        PyList_GET_SIZE(endings_obj) != PyList_GET_SIZE(opens_obj)) {
        PyErr_SetString(PyExc_TypeError, "opens, codes and endings: lists of one length");
        return 0;
    }
    b->n_cols = PyList_GET_SIZE(opens_obj);
    b->cols = PyMem_Calloc(b->n_cols ? (size_t)b->n_cols : 1, sizeof(BodyColumn));
    if (b->cols == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    if (!pieces_of(tails_obj, &b->tails, &b->n_tails, 0)) return 0;
    if (b->n_tails == 0) {
        PyErr_SetString(PyExc_ValueError, "no row tail");
        return 0;
    }
    if (tail_codes_obj != Py_None) {
        if (!intp_buffer(tail_codes_obj, &b->tail_buf, n_rows, "tail_codes")) return 0;
        b->tail_codes = b->tail_buf.buf;
    }
    for (Py_ssize_t j = 0; j < b->n_cols; j++) {
        BodyColumn *col = &b->cols[j];
        PyObject *open = PyList_GET_ITEM(opens_obj, j);
        if (!PyBytes_Check(open)) {
            PyErr_SetString(PyExc_TypeError, "opens: bytes");
            return 0;
        }
        col->open.p = PyBytes_AS_STRING(open);
        col->open.n = PyBytes_GET_SIZE(open);
        if (!intp_buffer(PyList_GET_ITEM(codes_obj, j), &col->buf, n_rows, "codes")) return 0;
        col->codes = col->buf.buf;
        if (!pieces_of(PyList_GET_ITEM(endings_obj, j), &col->endings, &col->n_endings, 1))
            return 0;
        if (col->n_endings == 0) {
            PyErr_SetString(PyExc_ValueError, "a column without its blank ending");
            return 0;
        }
    }
    return 1;
}

/* frame_rows(first_number, tails, tail_codes, opens, codes, endings, start, stop, skip)
 *   -> list[bytes]:
 * the <row> elements of rows start..stop-1 of a table body, numbered from first_number, in
 * pieces split at the rows of skip (sorted; rows the caller writes itself): one more piece
 * than skip has rows in the range. Row i's tag ends with tails[tail_codes[i]] (tails[0] when
 * tail_codes is None); in column j its cell is opens[j], the row number and
 * endings[j][codes[j][i]] (the last ending for a code of -1, the blank; no cell where the
 * ending is None). The same bytes as xlsx_writer's numpy grid, joined and encoded. */
static PyObject *frame_rows(PyObject *self, PyObject *args) {
    long first_number;
    PyObject *tails_obj, *tail_codes_obj, *opens_obj, *codes_obj, *endings_obj, *skip_obj;
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "lOOOOOnnO", &first_number, &tails_obj, &tail_codes_obj,
                          &opens_obj, &codes_obj, &endings_obj, &start, &stop, &skip_obj))
        return NULL;
    if (start < 0 || stop < start || first_number < 0 || first_number + stop > MAX_ROW + 1) {
        PyErr_SetString(PyExc_ValueError, "rows out of range");
        return NULL;
    }
    PyObject *result = NULL, *pieces = NULL;
    Body body = {0};
    Py_buffer skip_buf = {0};
    if (!open_body(&body, tails_obj, tail_codes_obj, opens_obj, codes_obj, endings_obj, stop))
        goto done;
    if (!intp_buffer(skip_obj, &skip_buf, 0, "skip")) goto done;
    const Py_intptr_t *skip = skip_buf.buf;
    Py_ssize_t n_skip = skip_buf.len / skip_buf.itemsize;
    for (Py_ssize_t k = 1; k < n_skip; k++) {
        if (skip[k] <= skip[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "skip: rows in increasing order");
            goto done;
        }
    }
    pieces = PyList_New(0);
    if (pieces == NULL) goto done;
    Py_ssize_t from = start;
    for (Py_ssize_t k = 0; k <= n_skip; k++) {
        Py_ssize_t to = stop;
        if (k < n_skip) {
            if (skip[k] < start) continue;
            if (skip[k] >= stop) k = n_skip; /* the last piece */
            else to = skip[k];
        }
        PyObject *piece = rows_bytes(first_number, body.tails, body.n_tails, body.tail_codes,
                                     body.cols, body.n_cols, from, to);
        if (piece == NULL || PyList_Append(pieces, piece) < 0) {
            Py_XDECREF(piece);
            goto done;
        }
        Py_DECREF(piece);
        from = to + 1;
    }
    result = pieces;
    pieces = NULL;
done:
    Py_XDECREF(pieces);
    close_body(&body);
    if (skip_buf.obj != NULL) PyBuffer_Release(&skip_buf);
    return result;
}

/* The str items of a list; 0 (error set) if it is not a list of str. */
static int str_list(PyObject *list, const char *what) {
    if (!PyList_Check(list)) {
        PyErr_Format(PyExc_TypeError, "%s: a list of str", what);
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (!PyUnicode_Check(PyList_GET_ITEM(list, i))) {
            PyErr_Format(PyExc_TypeError, "%s: a list of str", what);
            return 0;
        }
    }
    return 1;
}

/* Group boundaries: an intp buffer of n_groups + 1 nondecreasing offsets from 0 to n; 0 (error
 * set) otherwise. */
static int group_starts(PyObject *obj, Py_buffer *buf, Py_ssize_t n) {
    if (!intp_buffer(obj, buf, 1, "starts")) return 0;
    const Py_intptr_t *s = buf->buf;
    Py_ssize_t count = buf->len / buf->itemsize;
    int ok = s[0] == 0 && s[count - 1] == n;
    for (Py_ssize_t i = 1; ok && i < count; i++) ok = s[i] >= s[i - 1];
    if (!ok) {
        PyBuffer_Release(buf);
        buf->obj = NULL;
        PyErr_SetString(PyExc_ValueError, "starts: nondecreasing, from 0 to the item count");
        return 0;
    }
    return 1;
}

/* grouped_texts(labels, values, codes, starts, mid, sep) -> list[str]: per group g, its items
 * k in starts[g]..starts[g+1]-1 written labels[k] + mid + values[codes[k]] and joined by sep
 * ("" for a group without items). One string built per group, no piece made on the way. */
static PyObject *grouped_texts(PyObject *self, PyObject *args) {
    PyObject *labels, *values, *codes_obj, *starts_obj, *mid, *sep;
    if (!PyArg_ParseTuple(args, "O!O!OOUU", &PyList_Type, &labels, &PyList_Type, &values,
                          &codes_obj, &starts_obj, &mid, &sep))
        return NULL;
    if (!str_list(labels, "labels") || !str_list(values, "values")) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(labels), n_values = PyList_GET_SIZE(values);
    Py_buffer codes_buf = {0}, starts_buf = {0};
    PyObject *result = NULL, *empty = NULL;
    if (!intp_buffer(codes_obj, &codes_buf, n, "codes")) return NULL;
    if (!group_starts(starts_obj, &starts_buf, n)) goto done;
    const Py_intptr_t *codes = codes_buf.buf, *starts = starts_buf.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (codes[k] < 0 || codes[k] >= n_values) {
            PyErr_SetString(PyExc_IndexError, "code out of range");
            goto done;
        }
    }
    Py_ssize_t n_groups = starts_buf.len / starts_buf.itemsize - 1;
    empty = PyUnicode_New(0, 0);
    result = PyList_New(n_groups);
    if (empty == NULL || result == NULL) goto done;
    Py_ssize_t mid_n = PyUnicode_GET_LENGTH(mid), sep_n = PyUnicode_GET_LENGTH(sep);
    Py_UCS4 base_max = PyUnicode_MAX_CHAR_VALUE(mid);
    if (PyUnicode_MAX_CHAR_VALUE(sep) > base_max) base_max = PyUnicode_MAX_CHAR_VALUE(sep);
    for (Py_ssize_t g = 0; g < n_groups; g++) {
        Py_ssize_t s = starts[g], e = starts[g + 1];
        if (s == e) {
            Py_INCREF(empty);
            PyList_SET_ITEM(result, g, empty);
            continue;
        }
        Py_ssize_t length = (e - s) * mid_n + (e - s - 1) * sep_n;
        Py_UCS4 max = base_max;
        for (Py_ssize_t k = s; k < e; k++) {
            PyObject *label = PyList_GET_ITEM(labels, k);
            PyObject *value = PyList_GET_ITEM(values, codes[k]);
            length += PyUnicode_GET_LENGTH(label) + PyUnicode_GET_LENGTH(value);
            if (PyUnicode_MAX_CHAR_VALUE(label) > max) max = PyUnicode_MAX_CHAR_VALUE(label);
            if (PyUnicode_MAX_CHAR_VALUE(value) > max) max = PyUnicode_MAX_CHAR_VALUE(value);
        }
        PyObject *text = PyUnicode_New(length, max);
        if (text == NULL) goto fail;
        Py_ssize_t at = 0;
        for (Py_ssize_t k = s; k < e; k++) {
            PyObject *pieces[4] = {k > s ? sep : NULL, PyList_GET_ITEM(labels, k), mid,
                                   PyList_GET_ITEM(values, codes[k])};
            for (int i = 0; i < 4; i++) {
                if (pieces[i] == NULL) continue;
                Py_ssize_t len = PyUnicode_GET_LENGTH(pieces[i]);
                if (PyUnicode_CopyCharacters(text, at, pieces[i], 0, len) < 0) {
                    Py_DECREF(text);
                    goto fail;
                }
                at += len;
            }
        }
        PyList_SET_ITEM(result, g, text);
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(empty);
    PyBuffer_Release(&codes_buf);
    if (starts_buf.obj != NULL) PyBuffer_Release(&starts_buf);
    return result;
}

/* grouped_dicts(keys, values, starts) -> list[dict]: per group g, {keys[k]: values[k]} over
 * its items k in starts[g]..starts[g+1]-1 (a later key wins, as in dict(zip(...))). */
static PyObject *grouped_dicts(PyObject *self, PyObject *args) {
    PyObject *keys, *values, *starts_obj;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyList_Type, &keys, &PyList_Type, &values,
                          &starts_obj))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(keys);
    if (PyList_GET_SIZE(values) != n) {
        PyErr_SetString(PyExc_ValueError, "keys and values: lists of one length");
        return NULL;
    }
    Py_buffer starts_buf = {0};
    if (!group_starts(starts_obj, &starts_buf, n)) return NULL;
    const Py_intptr_t *starts = starts_buf.buf;
    Py_ssize_t n_groups = starts_buf.len / starts_buf.itemsize - 1;
    PyObject *result = PyList_New(n_groups);
    for (Py_ssize_t g = 0; result != NULL && g < n_groups; g++) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, g, d);
        for (Py_ssize_t k = starts[g]; k < starts[g + 1]; k++) {
            /* the lists may not change here: no Python code runs but keys' hashes */
            if (k >= PyList_GET_SIZE(keys) || k >= PyList_GET_SIZE(values)) {
                PyErr_SetString(PyExc_RuntimeError, "keys or values changed size");
                Py_CLEAR(result);
                break;
            }
            if (PyDict_SetItem(d, PyList_GET_ITEM(keys, k), PyList_GET_ITEM(values, k)) < 0) {
                Py_CLEAR(result);
                break;
            }
        }
    }
    PyBuffer_Release(&starts_buf);
    return result;
}

/* records(names, columns) -> list[dict]: row r is {names[c]: columns[c][r]}, keys in the order
 * of names (as dict(zip(names, row)) makes it; a later name wins). Columns: lists of one length. */
static PyObject *records(PyObject *self, PyObject *args) {
    PyObject *names, *columns;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &names, &PyList_Type, &columns))
        return NULL;
    Py_ssize_t width = PyList_GET_SIZE(names);
    if (PyList_GET_SIZE(columns) != width) {
        PyErr_SetString(PyExc_ValueError, "names and columns: lists of one length");
        return NULL;
    }
    Py_ssize_t n = 0;
    for (Py_ssize_t c = 0; c < width; c++) {
        PyObject *column = PyList_GET_ITEM(columns, c);
        if (!PyList_Check(column) || (c > 0 && PyList_GET_SIZE(column) != n)) {
            PyErr_SetString(PyExc_ValueError, "columns: lists of one length");
            return NULL;
        }
        n = PyList_GET_SIZE(column);
    }
    PyObject *result = PyList_New(n);
    for (Py_ssize_t r = 0; result != NULL && r < n; r++) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, r, d);
        for (Py_ssize_t c = 0; c < width; c++) {
            /* a key's hash may run Python code: the lists are checked again before each use */
            PyObject *column = c < PyList_GET_SIZE(columns) ? PyList_GET_ITEM(columns, c) : NULL;
            if (column == NULL || c >= PyList_GET_SIZE(names) || !PyList_Check(column) ||
                r >= PyList_GET_SIZE(column)) {
                PyErr_SetString(PyExc_RuntimeError, "names or columns changed size");
                Py_CLEAR(result);
                break;
            }
            if (PyDict_SetItem(d, PyList_GET_ITEM(names, c), PyList_GET_ITEM(column, r)) < 0) {
                Py_CLEAR(result);
                break;
            }
        }
    }
    return result;
}

/* group_rows(tails, tail_codes, opens, codes, endings, starts) -> list[bytes]: the <row>
 * elements of a table body without row or cell numbers (see rows_bytes), one piece per group
 * of rows starts[g]..starts[g+1]-1. Columns as frame_rows takes them. */
static PyObject *group_rows(PyObject *self, PyObject *args) {
    PyObject *tails_obj, *tail_codes_obj, *opens_obj, *codes_obj, *endings_obj, *starts_obj;
    if (!PyArg_ParseTuple(args, "OOOOOO", &tails_obj, &tail_codes_obj, &opens_obj, &codes_obj,
                          &endings_obj, &starts_obj))
        return NULL;
    PyObject *result = NULL, *pieces = NULL;
    Body body = {0};
    Py_buffer starts_buf = {0};
    if (!intp_buffer(starts_obj, &starts_buf, 1, "starts")) return NULL;
    const Py_intptr_t *starts = starts_buf.buf;
    Py_ssize_t n_groups = starts_buf.len / starts_buf.itemsize - 1;
    int ordered = starts[0] == 0;
    for (Py_ssize_t g = 0; ordered && g < n_groups; g++) ordered = starts[g + 1] >= starts[g];
    if (!ordered) {
        PyErr_SetString(PyExc_ValueError, "starts: nondecreasing, from 0");
        goto done;
    }
    Py_ssize_t n_rows = starts[n_groups];
    if (!open_body(&body, tails_obj, tail_codes_obj, opens_obj, codes_obj, endings_obj, n_rows))
        goto done;
    pieces = PyList_New(n_groups);
    if (pieces == NULL) goto done;
    for (Py_ssize_t g = 0; g < n_groups; g++) {
        PyObject *piece = rows_bytes(-1, body.tails, body.n_tails, body.tail_codes, body.cols,
                                     body.n_cols, starts[g], starts[g + 1]);
        if (piece == NULL) goto done;
        PyList_SET_ITEM(pieces, g, piece);
    }
    result = pieces;
    pieces = NULL;
done:
    Py_XDECREF(pieces);
    close_body(&body);
    PyBuffer_Release(&starts_buf);
    return result;
}

/* SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) of n bytes
 * under a 16-byte key: what a hostile workbook cannot make two texts collide on without the
 * key, which only the cache holds. */
#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                              \
    do {                                                                                      \
        v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);                         \
        v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;                                              \
        v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;                                              \
        v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);                         \
    } while (0)

static uint64_t load_le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t siphash24(const unsigned char *key, const unsigned char *data, size_t n) {
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
    const unsigned char *end = data + (n & ~(size_t)7);
    for (; data < end; data += 8) {
        uint64_t m = load_le64(data);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)(n & 0xff) << 56;
    for (size_t i = 0; i < (n & 7); i++) last |= (uint64_t)data[i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* text_hashes(cells: list, key: bytes) -> bytes | None: per cell, the SipHash-2-4 of its
 * characters as CPython holds them (1, 2 or 4 bytes each: the fewest its widest character
 * needs, so a text has one form) under key (16 bytes) with its first byte xor the width, as a
 * native uint64; a blank (None or a float NaN) hashes as no bytes under the key xor 0x80. None
 * when a cell is anything else (1 and "1" would be written differently). A cell that is the
 * object of one of the last cells looked at is not hashed again (names repeat as one object).
 * No text is encoded: a week's load detail has a text a row, most with accents. */
#define HASH_MEMO 256
static PyObject *text_hashes(PyObject *self, PyObject *args) {
    PyObject *cells;
    const char *key;
    Py_ssize_t key_len;
    if (!PyArg_ParseTuple(args, "O!y#", &PyList_Type, &cells, &key, &key_len)) return NULL;
    if (key_len != 16) {
        PyErr_SetString(PyExc_ValueError, "key: 16 bytes");
        return NULL;
    }
    unsigned char keys[5][16]; /* by width (1, 2, 4), and 0 for blanks */
    for (int w = 0; w < 5; w++) {
        memcpy(keys[w], key, 16);
        keys[w][0] ^= (unsigned char)(w == 0 ? 0x80 : w);
    }
    Py_ssize_t n = PyList_GET_SIZE(cells);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(uint64_t));
    if (out == NULL) return NULL;
    uint64_t *hashes = (uint64_t *)PyBytes_AS_STRING(out);
    const uint64_t blank = siphash24(keys[0], (const unsigned char *)"", 0);
    PyObject *memo_cell[HASH_MEMO] = {0};
    uint64_t memo_hash[HASH_MEMO];
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *cell = PyList_GET_ITEM(cells, i);
        size_t slot = ((uintptr_t)cell >> 4) % HASH_MEMO;
        if (memo_cell[slot] == cell) { /* the list holds it: the same object all along */
            hashes[i] = memo_hash[slot];
            continue;
        }
        uint64_t h;
        if (PyUnicode_Check(cell)) {
#if PY_VERSION_HEX < 0x030C0000
            if (PyUnicode_READY(cell) < 0) {
                Py_DECREF(out);
                return NULL;
            }
#endif
            int width = (int)PyUnicode_KIND(cell);
            h = siphash24(keys[width], (const unsigned char *)PyUnicode_DATA(cell),
                          (size_t)PyUnicode_GET_LENGTH(cell) * (size_t)width);
        } else if (cell == Py_None ||
                   (PyFloat_CheckExact(cell) && Py_IS_NAN(PyFloat_AS_DOUBLE(cell)))) {
            h = blank;
        } else {
            Py_DECREF(out);
            Py_RETURN_NONE;
        }
        memo_cell[slot] = cell;
        memo_hash[slot] = h;
        hashes[i] = h;
    }
    return out;
}

static PyMethodDef methods[] = {
    {"parse_sst", parse_sst, METH_VARARGS,
     "parse_sst(xml: bytes) -> list[str] | None: the shared strings, or None to use calamine."},
    {"parse_sheet", parse_sheet, METH_VARARGS,
     "parse_sheet(xml, sst, styles, date_of, max_cells, patches) -> list[list] | None: the "
     "sheet's rows as calamine's to_python() gives them, or None to use calamine; appends to "
     "patches (row, col, 0, error) and (row, col, 1, formula without its value)."},
    {"strict_extent", strict_extent, METH_VARARGS,
     "strict_extent(data: bytes) -> tuple[int, int, bool] | None: the largest row and column "
     "of sheet XML whose cell and row tags are all <c r=\"A1\" and <row r=\"1\", and whether "
     "it holds merged cells or links; else None."},
    {"frame_rows", frame_rows, METH_VARARGS,
     "frame_rows(first_number, tails, tail_codes, opens, codes, endings, start, stop, skip) "
     "-> list[bytes]: the <row> elements of a table body's rows start..stop-1, split at the "
     "rows of skip (see xlsx_writer)."},
    {"typed_column", typed_column, METH_VARARGS,
     "typed_column(cells: list, kind, first_day, last_day) -> (values, slow, blank): a table "
     "column typed in one pass (kind 0 number: float64 bytes; 1 date: int64 day numbers; 2 "
     "text: stripped texts; 3 raw texts), which cells need convert() and which are blank."},
    {"group_rows", group_rows, METH_VARARGS,
     "group_rows(tails, tail_codes, opens, codes, endings, starts) -> list[bytes]: a table "
     "body's <row> elements without numbers, one piece per group of rows."},
    {"grouped_texts", grouped_texts, METH_VARARGS,
     "grouped_texts(labels, values, codes, starts, mid, sep) -> list[str]: per group, its "
     "items' labels[k] + mid + values[codes[k]] joined by sep."},
    {"grouped_dicts", grouped_dicts, METH_VARARGS,
     "grouped_dicts(keys, values, starts) -> list[dict]: per group, {keys[k]: values[k]} "
     "over its items."},
    {"records", records, METH_VARARGS,
     "records(names, columns) -> list[dict]: row r is {names[c]: columns[c][r]}."},
    {"text_hashes", text_hashes, METH_VARARGS,
     "text_hashes(cells: list, key: bytes) -> bytes | None: per cell a SipHash-2-4 of its "
     "text under key (16 bytes), a native uint64; blanks (None, NaN) alike; None for others."},
    {"transpose", transpose, METH_O,
     "transpose(rows: list[list]) -> list[list] | None: the columns of rows of equal length."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sheetxml",
    "Worksheet XML read in one pass (see fast_workbook).", -1, methods,
};

PyMODINIT_FUNC PyInit__sheetxml(void) { return PyModule_Create(&module); }
