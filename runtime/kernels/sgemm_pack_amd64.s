//go:build amd64 && !purego

#include "textflag.h"

// func packT8avx2(dst *float32, ldd int, src *float32, lds int, kb int)
//
// packT8avx2 transposes kb blocks of 8×8: for x < 8·kb and r < 8 it sets
// dst[x*ldd+r] = src[r*lds+x].
TEXT ·packT8avx2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	MOVQ kb+32(FP), CX
	SHLQ $2, R8
	SHLQ $2, R9
	LEAQ (SI)(R9*4), DX    // row 4 of src
	LEAQ (R9)(R9*2), R10   // 3 rows of src
	LEAQ (R8)(R8*2), R11   // 3 rows of dst
	LEAQ (DI)(R8*4), BX    // row 4 of dst

loop:
	// Y0–Y7 = [row r, columns 0–3 | row r+4, columns 0–3] and then columns 4–7.
	VMOVUPS     (SI), X0
	VINSERTF128 $1, (DX), Y0, Y0
	VMOVUPS     (SI)(R9*1), X1
	VINSERTF128 $1, (DX)(R9*1), Y1, Y1
	VMOVUPS     (SI)(R9*2), X2
	VINSERTF128 $1, (DX)(R9*2), Y2, Y2
	VMOVUPS     (SI)(R10*1), X3
	VINSERTF128 $1, (DX)(R10*1), Y3, Y3
	VMOVUPS     16(SI), X4
	VINSERTF128 $1, 16(DX), Y4, Y4
	VMOVUPS     16(SI)(R9*1), X5
	VINSERTF128 $1, 16(DX)(R9*1), Y5, Y5
	VMOVUPS     16(SI)(R9*2), X6
	VINSERTF128 $1, 16(DX)(R9*2), Y6, Y6
	VMOVUPS     16(SI)(R10*1), X7
	VINSERTF128 $1, 16(DX)(R10*1), Y7, Y7

	// Transpose the 4×4 blocks in each 128-bit lane.
	VUNPCKLPS Y1, Y0, Y8   // r0c0 r1c0 r0c1 r1c1
	VUNPCKHPS Y1, Y0, Y9   // r0c2 r1c2 r0c3 r1c3
	VUNPCKLPS Y3, Y2, Y10  // r2c0 r3c0 r2c1 r3c1
	VUNPCKHPS Y3, Y2, Y11  // r2c2 r3c2 r2c3 r3c3
	VSHUFPS   $0x44, Y10, Y8, Y0   // column 0
	VSHUFPS   $0xEE, Y10, Y8, Y1   // column 1
	VSHUFPS   $0x44, Y11, Y9, Y2   // column 2
	VSHUFPS   $0xEE, Y11, Y9, Y3   // column 3
	VUNPCKLPS Y5, Y4, Y8
	VUNPCKHPS Y5, Y4, Y9
	VUNPCKLPS Y7, Y6, Y10
	VUNPCKHPS Y7, Y6, Y11
	VSHUFPS   $0x44, Y10, Y8, Y4   // column 4
	VSHUFPS   $0xEE, Y10, Y8, Y5   // column 5
	VSHUFPS   $0x44, Y11, Y9, Y6   // column 6
	VSHUFPS   $0xEE, Y11, Y9, Y7   // column 7

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, (DI)(R8*1)
	VMOVUPS Y2, (DI)(R8*2)
	VMOVUPS Y3, (DI)(R11*1)
	VMOVUPS Y4, (BX)
	VMOVUPS Y5, (BX)(R8*1)
	VMOVUPS Y6, (BX)(R8*2)
	VMOVUPS Y7, (BX)(R11*1)

	ADDQ $32, SI
	ADDQ $32, DX
	LEAQ (DI)(R8*8), DI
	LEAQ (BX)(R8*8), BX
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func packRowsavx2(dst *float32, src *float32, lds int, k int, w int)
//
// packRowsavx2 copies k rows of 8·w floats: dst[x*8*w+j] = src[x*lds+j].
TEXT ·packRowsavx2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R9
	MOVQ k+24(FP), CX
	MOVQ w+32(FP), R8
	SHLQ $2, R9

rows:
	MOVQ SI, AX
	MOVQ R8, BX

cols:
	VMOVUPS (AX), Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, AX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     cols
	ADDQ    R9, SI
	DECQ    CX
	JNZ     rows
	VZEROUPPER
	RET
