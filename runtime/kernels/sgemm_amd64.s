//go:build amd64 && !purego

#include "textflag.h"

// STEP is one rank-1 update of the 6×16 block of c held in Y0–Y11 (row r in
// Y(2r), Y(2r+1)): it loads 16 floats of b at DX, broadcasts the 6 floats of a at
// SI, SI+R8, SI+2·R8, DI, DI+R8, DI+2·R8, and advances SI and DI by R9 and DX by R12.
#define STEP \
	VMOVUPS      (DX), Y12;         \
	VMOVUPS      32(DX), Y13;       \
	VBROADCASTSS (SI), Y14;         \
	VFMADD231PS  Y12, Y14, Y0;      \
	VFMADD231PS  Y13, Y14, Y1;      \
	VBROADCASTSS (SI)(R8*1), Y15;   \
	VFMADD231PS  Y12, Y15, Y2;      \
	VFMADD231PS  Y13, Y15, Y3;      \
	VBROADCASTSS (SI)(R8*2), Y14;   \
	VFMADD231PS  Y12, Y14, Y4;      \
	VFMADD231PS  Y13, Y14, Y5;      \
	VBROADCASTSS (DI), Y15;         \
	VFMADD231PS  Y12, Y15, Y6;      \
	VFMADD231PS  Y13, Y15, Y7;      \
	VBROADCASTSS (DI)(R8*1), Y14;   \
	VFMADD231PS  Y12, Y14, Y8;      \
	VFMADD231PS  Y13, Y14, Y9;      \
	VBROADCASTSS (DI)(R8*2), Y15;   \
	VFMADD231PS  Y12, Y15, Y10;     \
	VFMADD231PS  Y13, Y15, Y11;     \
	ADDQ         R9, SI;            \
	ADDQ         R9, DI;            \
	ADDQ         R12, DX

// STOREROW stores row Y(lo), Y(hi) of the block to c at R10 (ADDROW adds it) and
// moves R10 to the next row.
#define STOREROW(lo, hi) \
	VMOVUPS lo, (R10);    \
	VMOVUPS hi, 32(R10);  \
	ADDQ    R11, R10

#define ADDROW(lo, hi) \
	VADDPS  (R10), lo, lo;   \
	VADDPS  32(R10), hi, hi; \
	VMOVUPS lo, (R10);       \
	VMOVUPS hi, 32(R10);     \
	ADDQ    R11, R10

// func sgemm6x16(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, add int)
TEXT ·sgemm6x16(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsa+16(FP), R8
	MOVQ csa+24(FP), R9
	MOVQ b+32(FP), DX
	MOVQ ldb+40(FP), R12
	MOVQ c+48(FP), R10
	MOVQ ldc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R11
	SHLQ $2, R12
	LEAQ (SI)(R8*2), DI
	ADDQ R8, DI

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP
	DECQ CX
	JNZ  loop1

store:
	MOVQ  add+64(FP), AX
	TESTQ AX, AX
	JNZ   accumulate
	STOREROW(Y0, Y1)
	STOREROW(Y2, Y3)
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	VZEROUPPER
	RET

accumulate:
	ADDROW(Y0, Y1)
	ADDROW(Y2, Y3)
	ADDROW(Y4, Y5)
	ADDROW(Y6, Y7)
	ADDROW(Y8, Y9)
	ADDROW(Y10, Y11)
	VZEROUPPER
	RET
