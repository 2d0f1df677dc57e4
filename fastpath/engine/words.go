package engine

import "unsafe"

// wordsOf views a counterBlock as its uint64 words. counterBlock holds only
// uint64 fields and arrays of structs of uint64 fields, so it has no
// padding and its size is a multiple of 8 (checked by a test).
func wordsOf(b *counterBlock) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(b)), unsafe.Sizeof(*b)/8)
}
