// The pool lives in @cd/contracts (the registry verifies partners' receipts with it too).
export { defaultVerifyThreads, SignatureVerifierPool, type SignatureJob } from '@cd/contracts';
