/* archive._fastload: load.py's reading of a YAML file, for the files that need nothing but plain reading.

   load._Builder turns libyaml's events into data and positions in Python; through PyYAML each event
   becomes several Python objects first (an event, two marks, a tuple), and that was most of reading
   an incident file, where libyaml itself takes a sixth of the time (bench/yaml-reading-speed.md).
   This module reads straight from libyaml's events, for a file made only of mappings with plain keys,
   sequences and scalars. On anything else (an anchor, an alias, a tag, a key that is not a scalar, a
   merge key, a duplicate key, nesting too deep, a second document, a scalar the resolver would
   report, a syntax error) it gives up, and _Builder reads the file again, reporting what it finds
   there: every problem is found and worded in one place.

   build(text_utf8, value_positions, key_positions, resolve, resolved_first, give_up, max_depth)
   returns the data, or `give_up` (the positions then hold whatever was read so far: clear them).
   `resolve(text)` gives the value of a plain scalar whose first character is in `resolved_first`
   (or that is empty), or `give_up`. Positions are (line, column), from 1, of each value and key,
   by key path, as _Builder records them.

   Compiled by the Makefile when a C compiler and the headers of Python and libyaml are there; load.py
   uses it only when it was compiled from this file as it is (source_digest(), which the Makefile
   sets) and against the libyaml that PyYAML parses with (version_of_libyaml()). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    PyObject *container;  /* a dict or a list (owned) */
    PyObject *path;       /* its key path, a tuple (owned) */
    PyObject *pending;    /* the key read, whose value comes next (owned), or NULL */
    int is_mapping;
} Frame;

typedef struct {
    PyObject *value_positions, *key_positions, *resolve, *give_up;
    const char *resolved_first;
    Py_ssize_t resolved_first_length;
    Frame *stack;
    int depth, max_depth;
    PyObject *root;  /* owned, or NULL */
} Reading;

/* A new tuple: `path` with `last` added. */
static PyObject *extended(PyObject *path, PyObject *last)
{
    Py_ssize_t size = PyTuple_GET_SIZE(path);
    PyObject *longer = PyTuple_New(size + 1);
    if (longer == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *item = PyTuple_GET_ITEM(path, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(longer, i, item);
    }
    Py_INCREF(last);
    PyTuple_SET_ITEM(longer, size, last);
    return longer;
}

/* positions[path + (last,)] = (line, column) of `mark`, counted from 1. 0 on success. */
static int record(PyObject *positions, PyObject *path, PyObject *last, yaml_mark_t mark)
{
    PyObject *key = last == NULL ? (Py_INCREF(path), path) : extended(path, last);
    if (key == NULL)
        return -1;
    PyObject *where = Py_BuildValue("(nn)", (Py_ssize_t)mark.line + 1, (Py_ssize_t)mark.column + 1);
    if (where == NULL) {
        Py_DECREF(key);
        return -1;
    }
    int status = PyDict_SetItem(positions, key, where);
    Py_DECREF(key);
    Py_DECREF(where);
    return status;
}

/* What could not be read here: -1 for an error (an exception is set), 1 for giving up. */
enum { READ = 0, GIVE_UP = 1, FAILED = -1 };

/* Put `value` (a new reference, taken over) where the open collection wants it; its key path in `*path_out` (new). */
static int place(Reading *reading, PyObject *value, yaml_mark_t mark, PyObject **path_out)
{
    if (reading->depth == 0) {
        reading->root = value;
        PyObject *empty = PyTuple_New(0);
        if (empty == NULL)
            return FAILED;
        if (record(reading->value_positions, empty, NULL, mark) < 0) {
            Py_DECREF(empty);
            return FAILED;
        }
        if (path_out)
            *path_out = empty;
        else
            Py_DECREF(empty);
        return READ;
    }
    Frame *frame = &reading->stack[reading->depth - 1];
    PyObject *key;
    if (frame->is_mapping) {
        key = frame->pending;  /* (a key that is a collection gave up before) */
        frame->pending = NULL;
        if (PyDict_SetItem(frame->container, key, value) < 0) {
            Py_DECREF(key);
            Py_DECREF(value);
            return FAILED;
        }
    } else {
        key = PyLong_FromSsize_t(PyList_GET_SIZE(frame->container));
        if (key == NULL || PyList_Append(frame->container, value) < 0) {
            Py_XDECREF(key);
            Py_DECREF(value);
            return FAILED;
        }
    }
    Py_DECREF(value);  /* (the container holds it) */
    int status = record(reading->value_positions, frame->path, key, mark);
    if (status == 0 && path_out) {
        *path_out = extended(frame->path, key);
        status = *path_out == NULL ? -1 : 0;
    }
    Py_DECREF(key);
    return status < 0 ? FAILED : READ;
}

static int read_scalar(Reading *reading, yaml_event_t *event)
{
    if (event->data.scalar.anchor != NULL || event->data.scalar.tag != NULL)
        return GIVE_UP;
    const char *bytes = (const char *)event->data.scalar.value;
    size_t length = event->data.scalar.length;
    PyObject *text = PyUnicode_DecodeUTF8(bytes, (Py_ssize_t)length, "strict");
    if (text == NULL)
        return FAILED;
    PyObject *value = text;
    Py_INCREF(value);
    if (event->data.scalar.plain_implicit
        && (length == 0 || memchr(reading->resolved_first, bytes[0], (size_t)reading->resolved_first_length) != NULL)) {
        Py_DECREF(value);
        value = PyObject_CallOneArg(reading->resolve, text);
        if (value == NULL || value == reading->give_up) {
            int outcome = value == NULL ? FAILED : GIVE_UP;
            Py_XDECREF(value);
            Py_DECREF(text);
            return outcome;
        }
    }
    Frame *frame = reading->depth ? &reading->stack[reading->depth - 1] : NULL;
    if (frame && frame->is_mapping && frame->pending == NULL) {  /* a key: its text, as written */
        Py_DECREF(value);
        int known = PyDict_Contains(frame->container, text);
        if (known != 0 || (length == 2 && bytes[0] == '<' && bytes[1] == '<')) {
            Py_DECREF(text);
            return known < 0 ? FAILED : GIVE_UP;
        }
        PyUnicode_InternInPlace(&text);
        if (record(reading->key_positions, frame->path, text, event->start_mark) < 0) {
            Py_DECREF(text);
            return FAILED;
        }
        frame->pending = text;
        return READ;
    }
    Py_DECREF(text);
    return place(reading, value, event->start_mark, NULL);
}

static int open_collection(Reading *reading, yaml_event_t *event, int is_mapping)
{
    yaml_char_t *anchor = is_mapping ? event->data.mapping_start.anchor : event->data.sequence_start.anchor;
    yaml_char_t *tag = is_mapping ? event->data.mapping_start.tag : event->data.sequence_start.tag;
    if (anchor != NULL || tag != NULL || reading->depth >= reading->max_depth)
        return GIVE_UP;
    Frame *frame = reading->depth ? &reading->stack[reading->depth - 1] : NULL;
    if (frame && frame->is_mapping && frame->pending == NULL)  /* a collection as a key */
        return GIVE_UP;
    PyObject *container = is_mapping ? PyDict_New() : PyList_New(0);
    if (container == NULL)
        return FAILED;
    Py_INCREF(container);  /* one for the frame, one taken by place */
    PyObject *path = NULL;
    int status = place(reading, container, event->start_mark, &path);
    if (status != READ) {
        Py_DECREF(container);
        return status;
    }
    Frame *opened = &reading->stack[reading->depth++];
    opened->container = container;
    opened->path = path;
    opened->pending = NULL;
    opened->is_mapping = is_mapping;
    return READ;
}

static void close_collection(Reading *reading)
{
    Frame *frame = &reading->stack[--reading->depth];
    Py_CLEAR(frame->container);
    Py_CLEAR(frame->path);
    Py_CLEAR(frame->pending);
}

/* Read every event of `parser` into `reading`: READ (the data is reading->root), GIVE_UP or FAILED. */
static int read_events(Reading *reading, yaml_parser_t *parser)
{
    int documents = 0;
    for (;;) {
        yaml_event_t event;
        if (!yaml_parser_parse(parser, &event))
            return GIVE_UP;  /* a syntax error: _Builder reports it, as PyYAML words it */
        int status = READ;
        switch (event.type) {
        case YAML_SCALAR_EVENT:
            status = read_scalar(reading, &event);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            status = open_collection(reading, &event, event.type == YAML_MAPPING_START_EVENT);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            close_collection(reading);
            break;
        case YAML_DOCUMENT_START_EVENT:
            status = ++documents > 1 ? GIVE_UP : READ;
            break;
        case YAML_ALIAS_EVENT:
            status = GIVE_UP;
            break;
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&event);
            return READ;
        default:  /* the stream's start, a document's end */
            break;
        }
        yaml_event_delete(&event);
        if (status != READ)
            return status;
    }
}

static PyObject *build(PyObject *Py_UNUSED(module), PyObject *args)
{
    const char *text;
    Py_ssize_t length, resolved_first_length;
    Reading reading = {0};
    if (!PyArg_ParseTuple(args, "y#O!O!Oy#Oi", &text, &length, &PyDict_Type, &reading.value_positions,
                          &PyDict_Type, &reading.key_positions, &reading.resolve, &reading.resolved_first,
                          &resolved_first_length, &reading.give_up, &reading.max_depth))
        return NULL;
    reading.resolved_first_length = resolved_first_length;
    reading.stack = PyMem_Calloc((size_t)reading.max_depth + 1, sizeof(Frame));
    if (reading.stack == NULL)
        return PyErr_NoMemory();
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        PyMem_Free(reading.stack);
        return PyErr_NoMemory();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, (size_t)length);  /* as PyYAML's CParser does */
    int status = read_events(&reading, &parser);
    yaml_parser_delete(&parser);
    while (reading.depth > 0)
        close_collection(&reading);
    PyMem_Free(reading.stack);
    if (status == READ) {
        if (reading.root == NULL)
            Py_RETURN_NONE;  /* a stream with no document */
        return reading.root;
    }
    Py_CLEAR(reading.root);
    if (status == FAILED)
        return NULL;
    Py_INCREF(reading.give_up);
    return reading.give_up;
}

#ifndef SOURCE_DIGEST
#define SOURCE_DIGEST ""  /* (compiled without the Makefile: never used) */
#endif

static PyObject *source_digest(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(unused))
{
    return PyUnicode_FromString(SOURCE_DIGEST);
}

static PyObject *version_of_libyaml(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(unused))
{
    int major, minor, patch;
    yaml_get_version(&major, &minor, &patch);
    return Py_BuildValue("(iii)", major, minor, patch);
}

static PyMethodDef methods[] = {
    {"build", build, METH_VARARGS, "The data of a YAML file read plainly, or give_up (see the module's comment)."},
    {"version_of_libyaml", version_of_libyaml, METH_NOARGS, "The version of libyaml this module was built with."},
    {"source_digest", source_digest, METH_NOARGS, "The SHA-256 of the _fastload.c this module was compiled from."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT, "_fastload", "load.py's reading of plain YAML files, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastload(void)
{
    return PyModule_Create(&definition);
}
