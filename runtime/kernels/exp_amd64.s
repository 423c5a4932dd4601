//go:build amd64 && !purego

#include "textflag.h"

// The constants of math.Exp's amd64 assembly (math/exp_amd64.s), in its order:
// LOG2E, LN2U, LN2L, the reduction 1/16, the Taylor coefficients from 1/8! down
// to 1/2 and 1, then 2.
DATA expc<>+0(SB)/8, $1.4426950408889634073599246810018920
DATA expc<>+8(SB)/8, $0.69314718055966295651160180568695068359375
DATA expc<>+16(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA expc<>+24(SB)/8, $0.0625
DATA expc<>+32(SB)/8, $2.4801587301587301587e-5
DATA expc<>+40(SB)/8, $1.9841269841269841270e-4
DATA expc<>+48(SB)/8, $1.3888888888888888889e-3
DATA expc<>+56(SB)/8, $8.3333333333333333333e-3
DATA expc<>+64(SB)/8, $4.1666666666666666667e-2
DATA expc<>+72(SB)/8, $1.6666666666666666667e-1
DATA expc<>+80(SB)/8, $0.5
DATA expc<>+88(SB)/8, $1.0
DATA expc<>+96(SB)/8, $2.0
DATA expc<>+104(SB)/4, $0x3ff
GLOBL expc<>(SB), RODATA, $108

// func expAVX512(x *float64, n int)
//
// expAVX512 sets x[i] = math.Exp(x[i]) for i < n, n a multiple of 8, each x[i]
// in [expVecMin, 0]: math.Exp's FMA path, step for step, on 8 lanes at once (its
// checks for non-finite, overflowing and denormal results cannot fire in that range).
TEXT ·expAVX512(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	JZ   done
	VBROADCASTSD expc<>+0(SB), Z16
	VBROADCASTSD expc<>+8(SB), Z17
	VBROADCASTSD expc<>+16(SB), Z18
	VBROADCASTSD expc<>+24(SB), Z19
	VBROADCASTSD expc<>+32(SB), Z20
	VBROADCASTSD expc<>+40(SB), Z21
	VBROADCASTSD expc<>+48(SB), Z22
	VBROADCASTSD expc<>+56(SB), Z23
	VBROADCASTSD expc<>+64(SB), Z24
	VBROADCASTSD expc<>+72(SB), Z25
	VBROADCASTSD expc<>+80(SB), Z26
	VBROADCASTSD expc<>+88(SB), Z27
	VBROADCASTSD expc<>+96(SB), Z28
	VPBROADCASTD expc<>+104(SB), Y29

loop:
	VMOVUPD (DI), Z0
	VMULPD  Z16, Z0, Z1 // exponent = round(x·LOG2E)
	VCVTPD2DQ Z1, Y2
	VCVTDQ2PD Y2, Z1
	VFNMADD231PD Z17, Z1, Z0 // x -= exponent·LN2, in two parts
	VFNMADD231PD Z18, Z1, Z0
	VMULPD  Z19, Z0, Z0
	VMOVAPD Z20, Z1 // the Taylor series
	VFMADD213PD Z21, Z0, Z1
	VFMADD213PD Z22, Z0, Z1
	VFMADD213PD Z23, Z0, Z1
	VFMADD213PD Z24, Z0, Z1
	VFMADD213PD Z25, Z0, Z1
	VFMADD213PD Z26, Z0, Z1
	VFMADD213PD Z27, Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD  Z28, Z0, Z1 // squared back four times
	VMULPD  Z1, Z0, Z0
	VADDPD  Z28, Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD  Z28, Z0, Z1
	VMULPD  Z1, Z0, Z0
	VADDPD  Z28, Z0, Z1
	VFMADD213PD Z27, Z1, Z0
	VPADDD  Y29, Y2, Y2 // times 2**exponent
	VPMOVSXDQ Y2, Z2
	VPSLLQ  $52, Z2, Z2
	VMULPD  Z2, Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
