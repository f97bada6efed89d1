export { EventFileWriter } from './event-file-writer';
export { TensorBoardHook, type EvaluationRecord } from './tensorboard-hook';
