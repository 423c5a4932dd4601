//go:build amd64 && !purego

#include "textflag.h"

// func prefetchLines(p *float32, n int)
//
// prefetchLines asks for the n cache lines from p on into the caches (PREFETCHT0);
// it reads nothing and cannot fault.
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	TESTQ CX, CX
	JLE  done

loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	DECQ CX
	JNZ  loop

done:
	RET
