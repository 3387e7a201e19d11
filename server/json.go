package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"sesame/authapi"
)

// MaxBody is the largest request body the server reads.
const MaxBody = 64 << 10

// decode reads a JSON request body into v strictly: application/json only,
// at most MaxBody bytes, valid UTF-8, one object, no unknown members. Its
// problems say what is wrong without echoing any value.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && !equalFold(params["charset"], "utf-8")) {
		return problem(http.StatusUnsupportedMediaType, authapi.CodeUnsupportedMediaType,
			"The request body must be JSON sent as application/json.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem(http.StatusRequestEntityTooLarge, authapi.CodeBodyTooLarge,
				fmt.Sprintf("The request body is larger than %d KiB.", MaxBody>>10))
		}
		return problem(http.StatusBadRequest, authapi.CodeInvalidRequest, "The request body could not be read.")
	}
	if !utf8.Valid(body) {
		return problem(http.StatusBadRequest, authapi.CodeInvalidRequest, "The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return problem(http.StatusBadRequest, authapi.CodeInvalidRequest, "The request body holds more than one JSON value.")
	}
	return nil
}

func badJSON(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return problem(http.StatusBadRequest, authapi.CodeInvalidRequest,
			fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset))
	case errors.As(err, &typ):
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, typ.Field,
			fmt.Sprintf("The member %q must be of type %s.", typ.Field, jsonType(typ.Type.Kind().String())))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return problem(http.StatusBadRequest, authapi.CodeInvalidRequest, "The request body is empty or cut short.")
	}
	var unknown string
	if _, e := fmt.Sscanf(err.Error(), "json: unknown field %q", &unknown); e == nil {
		if len(unknown) > 40 {
			unknown = unknown[:40]
		}
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, unknown,
			fmt.Sprintf("The member %q is not part of this request.", unknown))
	}
	return problem(http.StatusBadRequest, authapi.CodeInvalidRequest, "The request body must be a JSON object of this endpoint's members.")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

// required answers 400 naming the first empty member.
func required(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, fields[i],
				fmt.Sprintf("The member %q is required.", fields[i]))
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(append(body, '\n'))
	return err
}
