//go:build amd64 && !purego

#include "textflag.h"

// func im2colPlaneAVX512(dst *float32, src *float32, tab *int, n int)
//
// im2colPlaneAVX512 copies masked rows of up to 16 floats: for each of the n
// entries {dstOff, srcOff, ldmask, stmask} of tab it sets dst[dstOff+x] =
// src[srcOff+x] for the lanes x set in ldmask and to 0 for the other lanes set in
// stmask. Elements of src outside ldmask are not read.
TEXT ·im2colPlaneAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ tab+16(FP), BX
	MOVQ n+24(FP), CX
	TESTQ CX, CX
	JLE  done

entry:
	MOVQ  0(BX), AX
	MOVQ  8(BX), DX
	MOVQ  16(BX), R8
	MOVQ  24(BX), R9
	KMOVW R8, K1
	KMOVW R9, K2
	VMOVUPS.Z (SI)(DX*4), K1, Z0
	VMOVUPS   Z0, K2, (DI)(AX*4)
	ADDQ $32, BX
	DECQ CX
	JNZ  entry

done:
	VZEROUPPER
	RET

// func col2imPlaneAVX512(dst *float32, src *float32, tab *int, n int)
//
// col2imPlaneAVX512 sets masked rows of up to 16 floats to sums of masked rows: tab
// holds n groups {dstOff, stmask, count, count pairs {srcOff, ldmask}}, and each
// group sets dst[dstOff+x], for the lanes x set in stmask, to the sum in order of
// the pairs' src[srcOff+x] (0 for a pair whose ldmask leaves lane x out), starting
// from 0. Elements of src outside the masks are not read.
TEXT ·col2imPlaneAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ tab+16(FP), BX
	MOVQ n+24(FP), CX
	TESTQ CX, CX
	JLE  done

group:
	MOVQ   0(BX), AX
	MOVQ   8(BX), DX
	MOVQ   16(BX), R8
	KMOVW  DX, K2
	ADDQ   $24, BX
	VXORPS Z0, Z0, Z0
	TESTQ  R8, R8
	JLE    store

pair:
	MOVQ  0(BX), R9
	MOVQ  8(BX), DX
	KMOVW DX, K1
	VMOVUPS.Z (SI)(R9*4), K1, Z1
	VADDPS Z1, Z0, Z0
	ADDQ $16, BX
	DECQ R8
	JNZ  pair

store:
	VMOVUPS Z0, K2, (DI)(AX*4)
	DECQ CX
	JNZ  group

done:
	VZEROUPPER
	RET

// func im2colGatherAVX512(dst *float32, src *float32, tab *int, n int, lanes *int32)
//
// im2colGatherAVX512 is im2colPlaneAVX512 with strided loads: lane x of an entry
// reads src[srcOff+lanes[x]].
TEXT ·im2colGatherAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ tab+16(FP), BX
	MOVQ n+24(FP), CX
	MOVQ lanes+32(FP), AX
	VMOVDQU32 (AX), Z3
	TESTQ CX, CX
	JLE  done

entry:
	MOVQ  0(BX), AX
	MOVQ  8(BX), DX
	MOVQ  16(BX), R8
	MOVQ  24(BX), R9
	KMOVW R8, K1
	KMOVW R9, K2
	LEAQ  (SI)(DX*4), R10
	VXORPS Z0, Z0, Z0
	VGATHERDPS (R10)(Z3*4), K1, Z0
	VMOVUPS Z0, K2, (DI)(AX*4)
	ADDQ $32, BX
	DECQ CX
	JNZ  entry

done:
	VZEROUPPER
	RET

// func im2colStride2AVX512(dst *float32, src *float32, tab *int, n int, evens *int32)
//
// im2colStride2AVX512 is im2colGatherAVX512 for stride 2, without gathers: the low
// and high 16 bits of an entry's ldmask mask loads of src[srcOff…srcOff+15] and
// src[srcOff+16…srcOff+31], and VPERMT2PS picks their even elements (evens holds
// 0, 2, …, 30).
TEXT ·im2colStride2AVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ tab+16(FP), BX
	MOVQ n+24(FP), CX
	MOVQ evens+32(FP), AX
	VMOVDQU32 (AX), Z3
	TESTQ CX, CX
	JLE  done

entry:
	MOVQ  0(BX), AX
	MOVQ  8(BX), DX
	MOVQ  16(BX), R8
	MOVQ  24(BX), R9
	KMOVW R8, K1
	SHRQ  $16, R8
	KMOVW R8, K3
	KMOVW R9, K2
	LEAQ  (SI)(DX*4), R10
	VMOVUPS.Z (R10), K1, Z0
	VMOVUPS.Z 64(R10), K3, Z1
	VPERMT2PS Z1, Z3, Z0
	VMOVUPS Z0, K2, (DI)(AX*4)
	ADDQ $32, BX
	DECQ CX
	JNZ  entry

done:
	VZEROUPPER
	RET

// func col2imExpandAVX512(dst *float32, src *float32, tab *int, n int)
//
// col2imExpandAVX512 is col2imPlaneAVX512 with expanding loads: the lanes set in a
// pair's ldmask read src[srcOff], src[srcOff+1], … in turn.
TEXT ·col2imExpandAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ tab+16(FP), BX
	MOVQ n+24(FP), CX
	TESTQ CX, CX
	JLE  done

group:
	MOVQ   0(BX), AX
	MOVQ   8(BX), DX
	MOVQ   16(BX), R8
	KMOVW  DX, K2
	ADDQ   $24, BX
	VXORPS Z0, Z0, Z0
	TESTQ  R8, R8
	JLE    store

pair:
	MOVQ  0(BX), R9
	MOVQ  8(BX), DX
	KMOVW DX, K1
	VEXPANDPS.Z (SI)(R9*4), K1, Z1
	VADDPS Z1, Z0, Z0
	ADDQ $16, BX
	DECQ R8
	JNZ  pair

store:
	VMOVUPS Z0, K2, (DI)(AX*4)
	DECQ CX
	JNZ  group

done:
	VZEROUPPER
	RET

// func reluAVX512(dst, x *float32, n int)
//
// reluAVX512 sets dst[i] = x[i] < 0 ? 0 : x[i] for i < n, n a multiple of 16:
// VMAXPS returns its second operand, x, unless 0 > x, which keeps NaN and -0.
TEXT ·reluAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ   done
	VXORPS Z1, Z1, Z1

loop:
	VMOVUPS (SI), Z0
	VMAXPS  Z0, Z1, Z2
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

// func reluGradAVX512(dst, dy, x *float32, n int)
//
// reluGradAVX512 sets dst[i] = x[i] <= 0 ? 0 : dy[i] for i < n, n a multiple of
// 16: the mask is "not x <= 0" (NLE_UQ), which holds for NaN.
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ dy+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   done
	VXORPS Z1, Z1, Z1

loop:
	VMOVUPS   (SI), Z0
	VCMPPS    $0x16, Z1, Z0, K1
	VMOVUPS.Z (DX), K1, Z2
	VMOVUPS   Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

// func addScalarAVX512(dst, x *float32, s float32, n int)
//
// addScalarAVX512 sets dst[i] = x[i] + s for i < n, n a multiple of 16.
TEXT ·addScalarAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	VBROADCASTSS s+16(FP), Z1
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   done

loop:
	VMOVUPS (SI), Z0
	VADDPS  Z1, Z0, Z0 // x first: of two NaNs, x's is the result, as in Go
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
