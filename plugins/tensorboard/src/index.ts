export { EventFileWriter } from './event-file-writer';
