// SPDX-License-Identifier: GPL-2.0-or-later
// A Go program for tests/unit/go_symbols.py: built stripped (-ldflags='-s -w', so only
// .gopclntab names its functions), it prints where main.fetchUser starts.
package main

import (
	"fmt"
	"reflect"
)

//go:noinline
func fetchUser(id int) int {
	return id*7 + 3
}

func main() {
	fmt.Printf("%x %d\n", reflect.ValueOf(fetchUser).Pointer(), fetchUser(1))
}
