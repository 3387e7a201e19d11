package app_test

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sesame/app"
)

// checkedPackage is a package type-checked from its source.
type checkedPackage struct {
	pkg   *types.Package
	info  *types.Info
	files []*ast.File
}

// typeCheck type-checks the packages at paths from their source (without
// their tests), importing their dependencies from the export data the go
// command builds (CGO_ENABLED=0, as the house builds everything but main).
func typeCheck(t *testing.T, fset *token.FileSet, paths ...string) map[string]checkedPackage {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.Dir}}\t{{join .GoFiles \"\\t\"}}"}, paths...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports, sources := map[string]string{}, map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		exports[f[0]] = f[1]
		for _, name := range f[3:] {
			sources[f[0]] = append(sources[f[0]], filepath.Join(f[2], name))
		}
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(exports[path]) })
	checked := map[string]checkedPackage{}
	for _, path := range paths {
		var files []*ast.File
		for _, name := range sources[path] {
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		pkg, err := (&types.Config{Importer: imp}).Check(path, fset, files, info)
		if err != nil {
			t.Fatalf("type-checking %s: %v", path, err)
		}
		checked[path] = checkedPackage{pkg, info, files}
	}
	return checked
}

// isCode reports whether typ is app.Code.
func isCode(typ types.Type) bool {
	n, ok := typ.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sesame/app" && n.Obj().Name() == "Code"
}

// TestCodes checks the Code constants and their users: every constant is a
// code ErrorCode can return and has its texts in every language, and
// neither app nor the screens write a code as a string literal where a
// Code is meant (an untyped literal would compile): they name a constant.
func TestCodes(t *testing.T) {
	fset := token.NewFileSet()
	checked := typeCheck(t, fset, "sesame/app", "sesame/screens")

	codes := app.ErrorCodes()
	files := map[string]map[string][]string{}
	for _, name := range translationFiles {
		files[name] = loadTranslationTexts(t, name)
	}
	scope := checked["sesame/app"].pkg.Scope()
	n := 0
	for _, name := range scope.Names() {
		c, ok := scope.Lookup(name).(*types.Const)
		if !ok || !c.Exported() || !isCode(c.Type()) {
			continue
		}
		n++
		code := app.Code(constant.StringVal(c.Val()))
		if !slices.Contains(codes, code) {
			t.Errorf("app.%s = %q is not a code ErrorCode returns", name, code)
		}
		for _, file := range translationFiles {
			for _, key := range []string{"error." + string(code), "remedy." + string(code)} {
				if _, ok := files[file][key]; !ok {
					t.Errorf("app.%s: %s lacks %q", name, file, key)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d Code constants found", n)
	}

	for _, path := range []string{"sesame/app", "sesame/screens"} {
		p := checked[path]
		for _, f := range p.files {
			// A constant's declaration is where its literal belongs.
			declared := map[ast.Expr]bool{}
			ast.Inspect(f, func(n ast.Node) bool {
				if d, ok := n.(*ast.GenDecl); ok && d.Tok == token.CONST {
					for _, s := range d.Specs {
						for _, v := range s.(*ast.ValueSpec).Values {
							declared[v] = true
						}
					}
				}
				lit, ok := n.(*ast.BasicLit)
				if ok && lit.Kind == token.STRING && lit.Value != `""` && !declared[lit] && isCode(p.info.Types[lit].Type) {
					t.Errorf("%s: the code %s is a literal; name its app.Code constant", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
		}
	}
}
