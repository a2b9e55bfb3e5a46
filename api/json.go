package api

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// decode reads a JSON request body into v, rejecting unknown fields and
// trailing data, so that a typo in a field name is an error, not a no-op.
func decode(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return invalidf("want Content-Type application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he // 413 from the body limit
		}
		if errors.Is(err, io.EOF) {
			return invalidf("request body is empty")
		}
		return invalidf("request body: %v", err)
	}
	if dec.More() {
		return invalidf("request body: more than one JSON value")
	}
	// PostgreSQL text cannot hold NUL: say so, rather than fail on insert.
	if hasNUL(reflect.ValueOf(v)) {
		return invalidf("request body: text may not contain the NUL character (\\u0000)")
	}
	return nil
}

// hasNUL reports whether any string in v holds a NUL character.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.ContainsRune(v.String(), 0)
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if hasNUL(it.Key()) || hasNUL(it.Value()) {
				return true
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && hasNUL(v.Field(i)) {
				return true
			}
		}
	}
	return false
}

// pathID parses the :name path parameter as a UUID. A malformed id is a
// 404, like any other id that names nothing the caller can see.
func pathID(c echo.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, echo.ErrNotFound
	}
	return id, nil
}
