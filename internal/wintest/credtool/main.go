// Command credtool reads an item of the OS keychain through go-keyring,
// for internal/wintest: cross-built for Windows and run under Wine in the
// app's prefix, it reads the Windows Credential Manager there.
//
//	credtool SERVICE USER   print the item's secret; exit 3 when there is none
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/zalando/go-keyring"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: credtool SERVICE USER")
		os.Exit(2)
	}
	secret, err := keyring.Get(os.Args[1], os.Args[2])
	if errors.Is(err, keyring.ErrNotFound) {
		os.Exit(3)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "credtool:", err)
		os.Exit(1)
	}
	fmt.Print(secret)
}
