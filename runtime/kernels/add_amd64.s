//go:build amd64 && !purego

#include "textflag.h"

// BINARY16 defines func name(dst, a, b *float32, n int), which sets
// dst[i] = a[i] op b[i] for i < n, n a multiple of 16, with the AVX-512 instruction op.
#define BINARY16(name, op) \
TEXT name(SB), NOSPLIT, $0-32 \
	MOVQ dst+0(FP), DI \
	MOVQ a+8(FP), SI \
	MOVQ b+16(FP), DX \
	MOVQ n+24(FP), CX \
	SHRQ $4, CX \
	JZ   done \
loop: \
	VMOVUPS (SI), Z0 \
	op      (DX), Z0, Z0 \
	VMOVUPS Z0, (DI) \
	ADDQ $64, SI \
	ADDQ $64, DX \
	ADDQ $64, DI \
	DECQ CX \
	JNZ  loop \
done: \
	VZEROUPPER \
	RET

BINARY16(·addAVX512, VADDPS)
BINARY16(·mulAVX512, VMULPS)

// func momentumAVX512(w, grad, buf *float32, n int, lr, mu, wd float32)
//
// momentumAVX512 is SGDMomentum for n a multiple of 16: b = mu·buf + (grad + wd·w),
// w -= lr·b, each product and sum rounded as Go rounds them (no fused multiply-add).
TEXT ·momentumAVX512(SB), NOSPLIT, $0-44
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ buf+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Z4
	VBROADCASTSS mu+36(FP), Z5
	VBROADCASTSS wd+40(FP), Z6
	SHRQ $4, CX
	JZ   done

loop:
	VMOVUPS (DI), Z0
	VMULPS  Z6, Z0, Z1  // wd·w
	VADDPS  (SI), Z1, Z1 // g + wd·w
	VMULPS  (DX), Z5, Z2 // mu·buf
	VADDPS  Z1, Z2, Z2  // b
	VMOVUPS Z2, (DX)
	VMULPS  Z4, Z2, Z3  // lr·b
	VSUBPS  Z3, Z0, Z0  // w - lr·b
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
