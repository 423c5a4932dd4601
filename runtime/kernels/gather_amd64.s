//go:build amd64 && !purego

#include "textflag.h"

// func prefetchLines(p unsafe.Pointer, n int)
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

// func scaleBytesAVX512(dst *float32, src *byte, n int)
//
// scaleBytesAVX512 sets dst[i] = float32(src[i]) / 255 for i < n, n a multiple of
// 16: widen, convert (exact) and divide (correctly rounded, as Go's DIVSS).
TEXT ·scaleBytesAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ   done
	MOVL $0x437f0000, AX // 255.0
	VPBROADCASTD AX, Z1

loop:
	VPMOVZXBD (SI), Z0
	VCVTDQ2PS Z0, Z0
	VDIVPS    Z1, Z0, Z0
	VMOVUPS   Z0, (DI)
	ADDQ $16, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	RET
